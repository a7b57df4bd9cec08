/**
 * What FerretDB 1.24 (the local and test stand-in for MongoDB) cannot do, and the shapes of query
 * and write that seatwise keeps to because of it, in one place. MongoDB is unaffected by any of
 * them beyond a few more round trips.
 *
 * - Filters: only equality on a top-level scalar (string, ObjectId, bool, int, date) is pushed down
 *   to the PostgreSQL handler (as a jsonb containment test PostgreSQL evaluates in C); every other
 *   filter (`$in`, `$gt`, `$or`, `$regex`, dotted paths) decodes every document of the collection
 *   in Go. The SQLite handler decodes everything for any filter but `_id` equality. Hot paths
 *   therefore use equality filters, small collections, or one scan per job.
 * - No index is read except `_id` for the write itself: a non-unique index only costs inserts.
 * - Aggregation: `$match` (pushed down like a find when it comes first), `$unwind`, `$sort`,
 *   `$skip`, `$limit`, `$project`, `$group` with `$sum`, `$count`; no `$facet`, no `$concat`.
 * - `update` commands with ~50 updates of existing documents never answer: `bulkWriteInChunks.ts`.
 * - `$pull` with `$in` removes nothing: use `$pullAll`.
 * - Deleting a whole snapshot document by document is a scan plus a delete per document; dropping
 *   its collection is one statement. Snapshots are collections of their own for that reason.
 */

/**
 * Documents per `insertMany`. FerretDB inserts a user document (a few licenses) in ~50 µs and
 * takes a batch of this size in one transaction; bigger batches save nothing measurable.
 */
export const INSERT_BATCH = 1_000;

/**
 * Users per summary document (`subscriptionSummary.ts`): the summary is one string field, which
 * FerretDB stores and returns without decoding its content, ~150 bytes a user.
 */
export const SUMMARY_USERS_PER_DOC = 2_000;

/** Documents asked per getMore of a scan: FerretDB re-plans each getMore, so batches are large. */
export const SCAN_BATCH = 5_000;
