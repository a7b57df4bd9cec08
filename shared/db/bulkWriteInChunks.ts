import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';

/**
 * FerretDB 1.24 runs an `update` command's statements one by one, and each `updateOne` keeps the
 * pooled PostgreSQL connection of its lookup until the whole command returns (the lookup stops at
 * the first match and is only closed at the end). It has 50 such connections. One command of 50
 * `updateOne`s therefore never answers, and neither do two concurrent commands of 25: each holds 25
 * and waits for one more to write with, which was the suite's "jam" (FerretDB idle, every pooled
 * connection checked out). Two statements a command means 25 updates would have to run at once
 * before it can happen; the suite's busiest test runs 12. MongoDB is unaffected by the chunking
 * beyond more round trips.
 */
export const BULK_CHUNK_SIZE = 2;

export interface BulkWriteTotals {
  inserted: number;
  upserted: number;
  matched: number;
  modified: number;
  deleted: number;
}

export async function bulkWriteInChunks<T extends Document>(
  collection: Collection<T>,
  operations: readonly AnyBulkWriteOperation<T>[],
  chunkSize = BULK_CHUNK_SIZE,
): Promise<BulkWriteTotals> {
  const totals: BulkWriteTotals = { inserted: 0, upserted: 0, matched: 0, modified: 0, deleted: 0 };
  for (let start = 0; start < operations.length; start += chunkSize) {
    const result = await collection.bulkWrite(operations.slice(start, start + chunkSize), { ordered: true });
    totals.inserted += result.insertedCount;
    totals.upserted += result.upsertedCount;
    totals.matched += result.matchedCount;
    totals.modified += result.modifiedCount;
    totals.deleted += result.deletedCount;
  }
  return totals;
}
