/**
 * The fallback for candidates computed before reclaim shards existed (`reclaimSlices.ts`): before
 * its first batch, a reclaim slice tags the candidates it will work on with a claim of its
 * own (one conditional `updateMany` per workable status), and from then on names the claim in
 * every read and status move of the slice, beside the conditions that decide.
 *
 * Why: FerretDB answers a filter by decoding every document its top-level equalities leave
 * (`shared/db/engineQuirks.ts`), and `_id: {$in}` is not one of them. Each batch of 200 read its
 * candidates back and moved them with `_id: {$in}`, so each decoded all of the profile's
 * candidates (or all of those in a status): 10,000 approved reclaims took 341 s. With the claim, a
 * batch decodes only its slice's ≤ 1,000. On MongoDB the `_id` index answers either way, and the
 * claim's own index answers the claim.
 *
 * The claim narrows; it never decides. Every move stays conditional on the status it starts from,
 * every write on the candidate as re-read right before it. A candidate withdrawn after the claim is
 * read as withdrawn and left alone; one approved after it waits for the next run.
 */
import type { Collection, Filter, ObjectId } from 'mongodb';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import { isWorkable, type WorkableStatus } from '../../../shared/domain/candidateLifecycle.js';

/** The candidate field the claim is written to (indexed on MongoDB, `removalCandidate.model.ts`). */
export const CLAIM_FIELD = 'reclaimClaim';

interface ClaimableRow {
  _id: string;
  profileId: ObjectId;
  status: CandidateStatus;
  deactivateAfter: Date | null;
}

export interface ClaimScope {
  profileId: ObjectId;
  /** Unique to the slice within its run: a retried slice claims again under the same tag. */
  tag: string;
  range: { first: string; last: string } | null;
  /** The statuses the slice holds candidates in (the parent saw them); all workable ones if unknown. */
  statuses: readonly WorkableStatus[];
  startedAt: Date;
}

/** The equality every read and move of the slice adds to its filter. */
export function claimFilter(scope: Pick<ClaimScope, 'profileId' | 'tag'>): Record<string, unknown> {
  return { profileId: scope.profileId, [CLAIM_FIELD]: scope.tag };
}

/** Claims the slice's workable candidates and returns their ids in `_id` order. */
export async function claimWorkable<T extends ClaimableRow>(
  candidates: Collection<T>,
  scope: ClaimScope,
): Promise<string[]> {
  const range = scope.range ? { _id: { $gte: scope.range.first, $lte: scope.range.last } } : {};
  for (const status of scope.statuses) {
    const due = status === 'frozen' ? { deactivateAfter: { $lte: scope.startedAt } } : {};
    await candidates.updateMany(
      { profileId: scope.profileId, status, ...range, ...due } as Filter<T>,
      { $set: { [CLAIM_FIELD]: scope.tag } } as never,
    );
  }
  const claimed = await candidates
    .find(claimFilter(scope) as Filter<T>, { projection: { _id: 1, status: 1, deactivateAfter: 1 } })
    .toArray();
  return claimed
    .filter((c) => isWorkable(c, scope.startedAt))
    .map((c) => c._id)
    .sort();
}
