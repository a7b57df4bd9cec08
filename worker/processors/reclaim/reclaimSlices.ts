/**
 * How a reclaim run splits its workable candidates into slices of at most `size`, one child job
 * each. When every candidate has a reclaim shard (`candidateListing.ts`), a slice is a list of
 * pieces, a shard and an id range within it, and the child reads each piece by its shard's equality
 * (`reclaimCandidates.ts`): no write is needed before the first batch. Candidates computed before
 * shards existed make the whole run fall back to id ranges that each child claims first
 * (`reclaimClaim.ts`). Pure: the parent reads, this decides the split.
 */
import type { ShardPiece } from '../../../shared/jobs/reclaimBatch.js';
import { WORKABLE_STATUSES, type WorkableStatus } from '../../../shared/domain/candidateLifecycle.js';

export interface WorkableRow {
  id: string;
  status: WorkableStatus;
  /** Null for a candidate computed before reclaim shards existed. */
  shard: number | null;
}

export interface ReclaimSlice {
  /** The smallest and largest candidate id in the slice. */
  first: string;
  last: string;
  statuses: WorkableStatus[];
  size: number;
  /** Present when the slice is read by shard; absent: claim [first, last]. */
  pieces?: ShardPiece[];
}

const byId = (a: WorkableRow, b: WorkableRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function sliceWorkable(rows: readonly WorkableRow[], size: number): ReclaimSlice[] {
  if (rows.length === 0) return [];
  const sharded = rows.every((r) => r.shard !== null);
  const ordered = [...rows].sort((a, b) =>
    sharded ? (a.shard as number) - (b.shard as number) || byId(a, b) : byId(a, b),
  );
  const slices: ReclaimSlice[] = [];
  for (let i = 0; i < ordered.length; i += size) {
    const part = ordered.slice(i, i + size);
    const ids = part.map((r) => r.id).sort();
    const held = new Set(part.map((r) => r.status));
    const slice: ReclaimSlice = {
      first: ids[0] as string,
      last: ids[ids.length - 1] as string,
      statuses: WORKABLE_STATUSES.filter((s) => held.has(s)),
      size: part.length,
    };
    if (sharded) slice.pieces = piecesOf(part);
    slices.push(slice);
  }
  return slices;
}

/** Rows ordered by shard then id, as one piece per shard. */
function piecesOf(rows: readonly WorkableRow[]): ShardPiece[] {
  const pieces: ShardPiece[] = [];
  for (const r of rows) {
    const last = pieces[pieces.length - 1];
    if (last && last.shard === r.shard) last.last = r.id;
    else pieces.push({ shard: r.shard as number, first: r.id, last: r.id });
  }
  return pieces;
}

/** Every slice's pieces as one: a run that cannot fan out works them all inline. */
export function allPieces(slices: readonly ReclaimSlice[]): ShardPiece[] | undefined {
  if (slices.length === 0 || slices.some((s) => !s.pieces)) return undefined;
  return slices.flatMap((s) => s.pieces ?? []);
}
