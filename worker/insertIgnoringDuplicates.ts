import { MongoBulkWriteError, type Collection, type Document, type OptionalUnlessRequiredId } from 'mongodb';

/** Rows per insertMany: FerretDB inserts ~2,000 documents in ~100 ms, and a command stays small. */
export const INSERT_CHUNK_SIZE = 1_000;
const DUPLICATE_KEY = 11000;

/**
 * Inserts rows whose `_id` is deterministic. A row that already exists was written by an earlier
 * attempt of the same work (a retry, or another worker after a crash), so duplicate-key errors mean
 * "already done"; any other write error fails the call. Returns how many rows this call added.
 */
export async function insertIgnoringDuplicates<T extends Document>(
  collection: Collection<T>,
  rows: readonly OptionalUnlessRequiredId<T>[],
  chunkSize = INSERT_CHUNK_SIZE,
): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    try {
      const result = await collection.insertMany(chunk, { ordered: false });
      inserted += result.insertedCount;
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw error;
      inserted += error.insertedCount;
    }
  }
  return inserted;
}
