/**
 * The candidates list's default order, kept as a position each candidate takes when it is created:
 * oldest first, and within one compute in the order it found them. `listSeq` numbers the position
 * (0, 1, 2… per profile); `listBuckets` names the two buckets it lies in, one on each of two grids
 * of `2 × LIST_BUCKET_ROWS` positions set half a bucket apart (even ids on the first grid, odd on
 * the second). Any `LIST_BUCKET_ROWS` consecutive positions lie within one bucket, so a page of up
 * to that many rows, at any offset, is one equality read: pushed down on FerretDB, where every read
 * of the collection costs a scan of it (~150 ms at 52,000 candidates; two reads cost twice that),
 * and an index range on MongoDB (`engineQuirks.ts`). Longer pages read one bucket per 200 rows.
 *
 * Positions never change: a decision moves a candidate's status, not its place in the list, and
 * candidates are only ever deleted with their profile. The candidate ledger's head keeps the next
 * free position (`candidateLedger.ts`); a page is served this way only while the positions cover
 * every candidate: a profile computed before they existed keeps the sorted read.
 */
import type { Collection, Filter } from 'mongodb';
import { LIST_BUCKET_ROWS, RECLAIM_SHARD_ROWS } from './engineQuirks.js';
import type { CandidateModel } from './profileCollections.js';

const HALF = LIST_BUCKET_ROWS;
const SPAN = 2 * HALF;

export interface ListingPosition {
  listSeq: number;
  listBuckets: [number, number];
  /** The reclaim shard the place lies in: what a reclaim batch narrows its reads to. */
  reclaimShard: number;
}

export const listingPosition = (seq: number): ListingPosition => ({
  listSeq: seq,
  listBuckets: [Math.floor(seq / SPAN) * 2, Math.floor((seq + HALF) / SPAN) * 2 + 1],
  reclaimShard: Math.floor(seq / RECLAIM_SHARD_ROWS),
});

/**
 * The first position at or after `from` that no candidate holds: a compute that died after
 * inserting some candidates left positions past the ledger's, and reusing them would list two
 * candidates in one place. Normally two reads: the last bucket in use and the empty one after it.
 */
export async function firstFreePosition<T extends Partial<ListingPosition>>(
  candidates: Collection<T>,
  from: number,
): Promise<number> {
  let next = from;
  for (let bucket = Math.floor(from / SPAN) * 2; ; bucket += 2) {
    const inBucket = { listBuckets: bucket } as Filter<T>;
    const held = await candidates.find(inBucket, { projection: { listSeq: 1 } }).toArray();
    if (held.length === 0) return next;
    for (const c of held) next = Math.max(next, Number(c.listSeq) + 1);
  }
}

/** The positions `[from, to)` that rows `offset … offset + limit` of the order cover. */
export function positionsOf(
  listed: number,
  offset: number,
  limit: number,
  direction: 1 | -1,
): { from: number; to: number } {
  if (direction === 1) return { from: Math.min(offset, listed), to: Math.min(offset + limit, listed) };
  return { from: Math.max(0, listed - offset - limit), to: Math.max(0, listed - offset) };
}

/** The fewest buckets that hold positions `[from, to)`: one for up to `LIST_BUCKET_ROWS` of them. */
export function bucketsOf(from: number, to: number): number[] {
  if (to <= from) return [];
  const first = Math.floor(from / SPAN);
  const last = Math.floor((to - 1) / SPAN);
  if (first === last) return [first * 2];
  const shifted = Math.floor((from + HALF) / SPAN);
  if (shifted === Math.floor((to - 1 + HALF) / SPAN)) return [shifted * 2 + 1];
  return Array.from({ length: last - first + 1 }, (_, i) => (first + i) * 2);
}

interface Listed {
  _id: string;
  listSeq?: number;
}

/**
 * Rows `offset … offset + limit` of the default order (`direction` -1: newest first), read bucket
 * by bucket. `listed` is the ledger's next position: candidates a running compute is adding take
 * positions past it and show once it has finished.
 */
export async function readListingPage(
  candidates: CandidateModel,
  listed: number,
  offset: number,
  limit: number,
  direction: 1 | -1,
): Promise<Listed[]> {
  const { from, to } = positionsOf(listed, offset, limit, direction);
  const found = await Promise.all(
    bucketsOf(from, to).map((bucket) => candidates.find({ listBuckets: bucket }).lean<Listed[]>()),
  );
  return found
    .flat()
    .filter((c) => c.listSeq !== undefined && c.listSeq >= from && c.listSeq < to)
    .sort((a, b) => direction * ((a.listSeq ?? 0) - (b.listSeq ?? 0) || (a._id < b._id ? -1 : 1)));
}
