/**
 * Writes one stream of subscription rows (user seats, or permission-set assignments, or package
 * assignments) into a new snapshot. For each user-id range it reads the previous snapshot's rows of
 * the same kind (index profileId+syncId+userId) to carry `firstSeenAt` forward and to copy rows
 * that vanished, marked `goneAt`. Inserts only (deterministic `_id`): a retry rewrites nothing.
 */
import type { Collection, ObjectId } from 'mongodb';
import { DAY_MS } from '../../../shared/domain/inactivity.js';
import { insertIgnoringDuplicates, INSERT_CHUNK_SIZE } from '../../insertIgnoringDuplicates.js';
import { subscriptionRowId, type SubscriptionRow } from './subscriptionRows.js';

/** A row seen gone stays visible (with goneAt) this long, then is dropped from later snapshots. */
export const GONE_RETENTION_DAYS = 90;

/**
 * One user-id range is one page of users (≤ 2,000 records, a few rows each): read it in one batch.
 * FerretDB re-plans each getMore, so small batches cost far more than they save.
 */
const RANGE_READ_BATCH = 10_000;

export interface SnapshotWriterOptions {
  collection: Collection<SubscriptionRow>;
  profileId: ObjectId;
  syncId: string;
  previousSyncId: string | null;
  /** Which identifiers this stream owns, e.g. /^(UL|FL):/ for user rows. */
  identifierPattern: RegExp;
  now: Date;
  /**
   * An earlier attempt of this sync already wrote some rows: skip those instead of re-inserting
   * them (FerretDB handles a batch full of duplicate keys very slowly).
   */
  resume: boolean;
}

export interface SnapshotStreamWriter {
  /** Rows of whole users, all with ids above the previous call's `throughUserId`. Returns rows added. */
  writeGroup(rows: readonly SubscriptionRow[], throughUserId: string): Promise<number>;
  /** Carries the previous snapshot's rows above the last user seen (users who vanished at the end). */
  finish(): Promise<number>;
  readonly stats: { written: number; carriedFirstSeen: number; gone: number };
}

/**
 * One snapshot's rows of one stream (the previous snapshot's, or what an interrupted attempt of
 * this one already wrote), read by ONE cursor sorted by user id and handed out range by range as
 * the new stream advances (a merge). FerretDB answers a range filter with a full collection scan,
 * so a query per range made a re-download (and a resumed download) quadratic in the org's size;
 * one sorted cursor is one scan (MongoDB serves it from the profileId+syncId+userId index).
 */
function snapshotRowsByUser(
  collection: Collection<SubscriptionRow>,
  profileId: ObjectId,
  snapshotSyncId: string | null,
  identifierPattern: RegExp,
) {
  let cursor: AsyncIterator<SubscriptionRow> | null = null;
  let peeked: SubscriptionRow | null = null;
  let exhausted = snapshotSyncId === null;
  const next = async (): Promise<SubscriptionRow | null> => {
    if (peeked) return peeked;
    if (exhausted) return null;
    if (!cursor) {
      // The identifier kind is checked in code: FerretDB evaluates $regex slowly.
      const rows = collection
        .find({ profileId, syncId: snapshotSyncId as string })
        .sort({ userId: 1 })
        .batchSize(RANGE_READ_BATCH);
      cursor = rows[Symbol.asyncIterator]();
    }
    for (let step = await cursor.next(); !step.done; step = await cursor.next()) {
      if (!identifierPattern.test(step.value.identifier)) continue;
      peeked = step.value;
      return peeked;
    }
    exhausted = true;
    return null;
  };
  return {
    /** Rows with userId ≤ throughUserId (all remaining rows when null), in user-id order. */
    async *through(throughUserId: string | null): AsyncIterable<SubscriptionRow> {
      for (let row = await next(); row; row = await next()) {
        if (throughUserId !== null && row.userId > throughUserId) return;
        peeked = null;
        yield row;
      }
    },
  };
}

export function createSnapshotStreamWriter(options: SnapshotWriterOptions): SnapshotStreamWriter {
  const { collection, profileId, syncId, previousSyncId, identifierPattern, now, resume } = options;
  const retentionStart = now.getTime() - GONE_RETENTION_DAYS * DAY_MS;
  const stats = { written: 0, carriedFirstSeen: 0, gone: 0 };
  const previousRows = snapshotRowsByUser(collection, profileId, previousSyncId, identifierPattern);
  // Rows an interrupted attempt of this sync already wrote: not written twice.
  const alreadyWritten = snapshotRowsByUser(collection, profileId, resume ? syncId : null, identifierPattern);

  async function writeRange(rows: readonly SubscriptionRow[], throughUserId: string | null): Promise<number> {
    const fresh = new Map(rows.map((r) => [`${r.userId}|${r.identifier}`, r]));
    let added = 0;
    let vanished: SubscriptionRow[] = [];
    const written = new Set<string>();
    for await (const row of alreadyWritten.through(throughUserId)) written.add(row._id);
    const insert = (batch: readonly SubscriptionRow[]) =>
      insertIgnoringDuplicates(
        collection,
        batch.filter((r) => !written.has(r._id)),
      );
    for await (const previous of previousRows.through(throughUserId)) {
      const current = fresh.get(`${previous.userId}|${previous.identifier}`);
      if (current) {
        current.firstSeenAt = previous.firstSeenAt;
        stats.carriedFirstSeen += 1;
        continue;
      }
      const goneAt = previous.goneAt ?? now;
      if (goneAt.getTime() < retentionStart) continue;
      vanished.push({
        ...previous,
        _id: subscriptionRowId(syncId, previous.userId, previous.identifier),
        syncId,
        goneAt,
      });
      if (previous.goneAt === null) stats.gone += 1;
      if (vanished.length >= INSERT_CHUNK_SIZE) {
        added += await insert(vanished);
        vanished = [];
      }
    }
    added += await insert([...rows, ...vanished]);
    stats.written += added;
    return added;
  }

  return {
    stats,
    writeGroup: (rows, throughUserId) => writeRange(rows, throughUserId),
    finish: () => writeRange([], null),
  };
}
