import { SeatwiseError } from '../../../shared/errors.js';
import type { QueryPage } from '../../../shared/salesforce/salesforceClient.js';

export interface UserGroup<T> {
  records: T[];
  /** Every user of the stream up to and including this id is complete in this or earlier groups. */
  throughUserId: string;
}

/**
 * Re-cuts pages of a stream ordered by user id so that no user's records straddle two groups: the
 * last user of a page is held back until the next page shows whether more of their records follow.
 * The snapshot writer relies on this to compare a whole user-id range with the previous snapshot.
 */
export async function* userAlignedGroups<T>(
  pages: AsyncIterable<QueryPage<T>>,
  userIdOf: (record: T) => string,
): AsyncIterable<UserGroup<T>> {
  let carry: T[] = [];
  let lastUserId: string | null = null;
  for await (const page of pages) {
    const records = carry.concat(page.records);
    for (const record of page.records) {
      const userId = userIdOf(record);
      if (lastUserId !== null && userId < lastUserId) {
        throw new SeatwiseError('SALESFORCE_ORDER_VIOLATED', 'records did not arrive ordered by user id', {
          userId,
          after: lastUserId,
          page: page.page,
        });
      }
      lastUserId = userId;
    }
    if (lastUserId === null) continue;
    const held = lastUserId;
    let cut = records.length;
    while (cut > 0 && userIdOf(records[cut - 1] as T) === held) cut -= 1;
    carry = records.slice(cut);
    if (cut === 0) continue;
    const complete = records.slice(0, cut);
    yield { records: complete, throughUserId: userIdOf(complete[complete.length - 1] as T) };
  }
  if (carry.length > 0 && lastUserId !== null) yield { records: carry, throughUserId: lastUserId };
}
