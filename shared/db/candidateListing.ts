/**
 * The candidates list's default order, kept as a position each candidate takes when it is created:
 * oldest first, and within one compute in the order it found them. `listSeq` numbers the position
 * (0, 1, 2… per profile) and `listBucket` groups positions by `LIST_BUCKET_ROWS`, so a page of that
 * order is one equality read per bucket it overlaps: pushed down on FerretDB, an index range on
 * MongoDB (`engineQuirks.ts`). Positions never change: a decision moves a candidate's status, not
 * its place in the list, and candidates are only ever deleted with their profile.
 *
 * The candidate ledger's head keeps the next free position (`candidateLedger.ts`). A page is served
 * this way only while it spans every candidate: a profile computed before positions existed keeps
 * the sorted read.
 */
import type { Collection, Filter } from 'mongodb';
import { LIST_BUCKET_ROWS } from './engineQuirks.js';
import type { CandidateModel } from './profileCollections.js';

export interface ListingPosition {
  listSeq: number;
  listBucket: number;
}

export const listingPosition = (seq: number): ListingPosition => ({
  listSeq: seq,
  listBucket: Math.floor(seq / LIST_BUCKET_ROWS),
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
  for (let bucket = Math.floor(from / LIST_BUCKET_ROWS); ; bucket += 1) {
    const inBucket = { listBucket: bucket } as Filter<T>;
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

/** The buckets positions `[from, to)` fall in. */
export function bucketsOf(from: number, to: number): number[] {
  if (to <= from) return [];
  const buckets: number[] = [];
  for (let b = Math.floor(from / LIST_BUCKET_ROWS); b <= Math.floor((to - 1) / LIST_BUCKET_ROWS); b += 1)
    buckets.push(b);
  return buckets;
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
    bucketsOf(from, to).map((bucket) => candidates.find({ listBucket: bucket }).lean<Listed[]>()),
  );
  return found
    .flat()
    .filter((c) => c.listSeq !== undefined && c.listSeq >= from && c.listSeq < to)
    .sort((a, b) => direction * ((a.listSeq ?? 0) - (b.listSeq ?? 0) || (a._id < b._id ? -1 : 1)));
}
