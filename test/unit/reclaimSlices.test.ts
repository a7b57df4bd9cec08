/**
 * How a reclaim run splits its workable candidates among child jobs (`reclaimSlices.ts`): every
 * candidate in exactly one slice, no slice over its size, and pieces that name each candidate's
 * own shard.
 */
import { describe, expect, it } from 'vitest';
import { reclaimBatchPayloadSchema } from '../../shared/jobs/reclaimBatch.js';
import { allPieces, sliceWorkable, type WorkableRow } from '../../worker/processors/reclaim/reclaimSlices.js';
import { seededRandom } from '../helpers/seededRandom.js';

const id = (n: number) => `p|005${String(n).padStart(15, '0')}|UL:Salesforce`;

function rows(count: number, shardOf: (n: number) => number | null, seed = 7): WorkableRow[] {
  const rnd = seededRandom(seed);
  const statuses = ['ready', 'reclaiming', 'frozen'] as const;
  // Sparse positions: shards hold uneven numbers of workable candidates.
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(rnd() * count * 4));
  return [...picked].map((n) => ({
    id: id(n),
    status: statuses[Math.floor(rnd() * 3)] as WorkableRow['status'],
    shard: shardOf(n),
  }));
}

/** The candidates a piece covers, given every row: those of its shard within its range. */
const covered = (all: WorkableRow[], piece: { shard: number; first: string; last: string }) =>
  all.filter((r) => r.shard === piece.shard && r.id >= piece.first && r.id <= piece.last).map((r) => r.id);

describe('reclaim slices', () => {
  it('when every candidate has a shard, then each is in exactly one piece of one slice, no slice over its size', () => {
    const all = rows(2_345, (n) => Math.floor(n / 1_000));
    const slices = sliceWorkable(all, 200);
    expect(slices).toHaveLength(Math.ceil(all.length / 200));
    const seen: string[] = [];
    for (const s of slices) {
      expect(s.size).toBeLessThanOrEqual(200);
      const inSlice = (s.pieces ?? []).flatMap((p) => covered(all, p));
      expect(inSlice).toHaveLength(s.size);
      expect(s.statuses.length).toBeGreaterThan(0);
      seen.push(...inSlice);
    }
    expect(seen.sort()).toEqual(all.map((r) => r.id).sort());
    expect(
      allPieces(slices)
        ?.flatMap((p) => covered(all, p))
        .sort(),
    ).toEqual(seen);
  });

  it('when one candidate has no shard, then the run falls back to id ranges, in id order, without pieces', () => {
    const all = rows(1_000, (n) => (n === 1_234 ? null : Math.floor(n / 1_000)), 3);
    if (all.every((r) => r.shard !== null)) all[0] = { ...(all[0] as WorkableRow), shard: null };
    const slices = sliceWorkable(all, 300);
    expect(slices.every((s) => s.pieces === undefined)).toBe(true);
    expect(allPieces(slices)).toBeUndefined();
    const sorted = all.map((r) => r.id).sort();
    expect(slices.map((s) => [s.first, s.last])).toEqual(
      slices.map((_, i) => [sorted[i * 300], sorted[Math.min(sorted.length, (i + 1) * 300) - 1]]),
    );
  });

  it('has nothing to slice when nothing is workable', () => {
    expect(sliceWorkable([], 200)).toEqual([]);
    expect(allPieces([])).toBeUndefined();
  });

  it('when a slice travels as a job payload, then its pieces are checked: a negative shard or a stray field is refused', () => {
    const [slice] = sliceWorkable(
      rows(500, (n) => Math.floor(n / 1_000)),
      1_000,
    );
    const payload = {
      profileId: 'a'.repeat(24),
      runId: 'run_0123456789',
      batch: 0,
      firstCandidateId: slice?.first,
      lastCandidateId: slice?.last,
      statuses: slice?.statuses,
      pieces: slice?.pieces,
    };
    expect(reclaimBatchPayloadSchema.safeParse(payload).success).toBe(true);
    const accepted = (pieces: unknown) => reclaimBatchPayloadSchema.safeParse({ ...payload, pieces }).success;
    expect(accepted([{ shard: -1, first: 'a', last: 'b' }])).toBe(false);
    expect(accepted([{ shard: 0, first: 'a', last: 'b', extra: 1 }])).toBe(false);
    expect(accepted([])).toBe(false);
  });
});
