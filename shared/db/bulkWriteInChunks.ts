import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';

/**
 * FerretDB 1.24 stops answering an `update` command that carries too many updates of existing
 * documents (seen with both its SQLite and PostgreSQL handlers): on the PostgreSQL handler 48
 * `updateOne`s of a candidate-sized `$set` answer in ~70 ms and 50 never answer. It processes the
 * updates one by one anyway, so large bulk writes go in small sequential commands. MongoDB is
 * unaffected by the chunking beyond a few more round trips.
 */
export const BULK_CHUNK_SIZE = 25;

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
