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
 *   Even `_id` equality is a sequential scan in PostgreSQL (a containment test the `_id` btree
 *   cannot answer): 20,000 candidate documents, one `updateOne` by `_id` took 26–57 ms, where an
 *   `updateMany` whose pushed-down equality matched 10,000 of them took 3.7–7.2 s in all (one
 *   decode and one indexed UPDATE per matched document). So many updates of one kind go as one
 *   `updateMany` whose top-level equalities narrow the scan, and single `_id` updates stay few.
 * - Aggregation: `$match` (pushed down like a find when it comes first), `$unwind`, `$sort`,
 *   `$skip`, `$limit`, `$project`, `$group` with `$sum`, `$count`; no `$facet`, no `$concat`.
 * - Each `updateOne` of an `update` command holds a pooled connection until the command returns:
 *   50 in one command, or in concurrent commands together, never answer (`bulkWriteInChunks.ts`).
 * - `$pull` with `$in` removes nothing: use `$pullAll`.
 * - PostgreSQL handler: every open cursor holds one of FerretDB's 50 pooled connections until it is
 *   exhausted or killed, and a collection is created under a registry lock that every other
 *   command also takes, while the creator waits for a pooled connection. Collections that jobs
 *   write are created at process start (`models.ts`) or once per snapshot, never per decision.
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

/** Candidates per candidate-ledger document (`candidateLedger.ts`), ~100 bytes each. */
export const LEDGER_ENTRIES_PER_DOC = 2_000;

/**
 * Candidates computeCandidates re-reads one `_id` lookup at a time before it reads them all in one
 * scan instead: a lookup scans in PostgreSQL (~30 ms at 20,000 candidates), the full read decodes
 * every candidate in Go (~120 µs each, 2.4 s at 20,000).
 */
export const REREAD_BY_ID_MAX = 40;

/**
 * Writes a download or a compute keeps in flight while it parses the next page: FerretDB takes
 * user documents at ~19,000/s with one `insertMany` of 1,000 in flight and ~28,000/s with two (no
 * gain past two on two cores; measured alone, 50,000 documents, PostgreSQL handler).
 */
export const WRITES_IN_FLIGHT = 2;

/**
 * From this many ids, a read by ids on FerretDB selects by the filter's equalities and keeps the
 * listed ids in process (`findByIds.ts`): its `$in` tests each decoded document against every id,
 * which costs more than carrying the selected documents over only for long lists. Approving 10,000
 * of 20,723 candidates: 10.4 s in one request in process, 12.9 s with `$in`; 500 ids a request:
 * 69.4 s in process, 63.1 s with `$in` (`npm run bench -- --only approve`).
 */
export const IN_LIST_IN_PROCESS_FROM = 2_000;

/** Documents asked per getMore of a scan: FerretDB re-plans each getMore, so batches are large. */
export const SCAN_BATCH = 5_000;

/**
 * Rows per page of the lists' default orders as they are stored: a subscriptions page document
 * (`subscriptionPages.ts`), and half a removal-candidates bucket (`candidateListing.ts`, buckets of
 * twice this on two offset grids). A list page is then one or a few pushed-down reads, where a
 * sorted and skipped `find` made FerretDB decode and sort the whole collection (~10–13 s a page at
 * 100,000 users). A read still scans its collection in PostgreSQL: ~10 ms over 1,900 page
 * documents, ~150 ms over 52,000 candidates.
 */
export const LIST_BUCKET_ROWS = 100;

/**
 * Places in the candidates list's default order per reclaim shard (`reclaimShard`, set with the
 * place when a candidate is created). A reclaim batch reads and moves its candidates with the
 * shard's equality beside the real conditions, so FerretDB decodes at most this many candidates
 * per command; before, each slice first stamped a claim on each of its candidates to get the same
 * narrowing, a write per candidate (a third of a reclaim's per-document updates).
 */
export const RECLAIM_SHARD_ROWS = 1_000;
