import { describe, expect, it } from 'vitest';
import { bucketsOf, listingPosition, positionsOf } from '../../shared/db/candidateListing.js';
import { LIST_BUCKET_ROWS } from '../../shared/db/engineQuirks.js';

/** Every position of `[from, to)` lies in one of the buckets, as its candidate records them. */
function covered(from: number, to: number, buckets: number[]): boolean {
  for (let p = from; p < to; p += 1)
    if (!listingPosition(p).listBuckets.some((b) => buckets.includes(b))) return false;
  return true;
}

describe('candidate listing buckets', () => {
  it('when a page holds up to a bucket’s rows, then one read covers it, wherever it starts', () => {
    for (let from = 0; from < 1_000; from += 1) {
      for (const length of [1, 37, LIST_BUCKET_ROWS]) {
        const buckets = bucketsOf(from, from + length);
        expect(buckets, `${from}+${length}`).toHaveLength(1);
        expect(covered(from, from + length, buckets)).toBe(true);
      }
    }
  });

  it('when a page is longer, then its reads still cover every row of it', () => {
    for (const [from, to] of [
      [0, 500],
      [37, 537],
      [150, 251],
      [199, 450],
    ] as const) {
      const buckets = bucketsOf(from, to);
      expect(buckets.length).toBeLessThanOrEqual(Math.ceil((to - from) / (2 * LIST_BUCKET_ROWS)) + 1);
      expect(covered(from, to, buckets)).toBe(true);
    }
    expect(bucketsOf(10, 10)).toEqual([]);
  });

  it('when newest first is asked, then the positions are counted from the end, and an offset past the end is empty', () => {
    expect(positionsOf(1_000, 0, 100, -1)).toEqual({ from: 900, to: 1_000 });
    expect(positionsOf(1_000, 950, 100, -1)).toEqual({ from: 0, to: 50 });
    expect(positionsOf(1_000, 990, 100, 1)).toEqual({ from: 990, to: 1_000 });
    expect(positionsOf(1_000, 2_000, 100, 1)).toEqual({ from: 1_000, to: 1_000 });
    expect(positionsOf(1_000, 2_000, 100, -1)).toEqual({ from: 0, to: 0 });
  });
});
