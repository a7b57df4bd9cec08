import { describe, expect, it } from 'vitest';
import {
  blendPace,
  expectedDurationMs,
  observedPace,
  PACE_MIN_ROWS,
} from '../../shared/salesforce/bulkPace.js';

/** A finished job's info as Salesforce shows it: created, then `queueMs` queued, then processing. */
const finished = (rows: number, queueMs: number, processingMs: number) => ({
  createdDate: '2026-11-30T10:00:00.000+0000',
  systemModstamp: new Date(Date.parse('2026-11-30T10:00:00.000Z') + queueMs + processingMs)
    .toISOString()
    .replace('Z', '+0000'),
  totalProcessingTime: processingMs,
  numberRecordsProcessed: rows,
});

describe('Bulk job pace', () => {
  it('when a big job finished, then its queue time and time per row are what it showed', () => {
    expect(observedPace(finished(1_000_000, 2_000, 30_000))).toEqual({
      queueMs: 2_000,
      msPerRow: 0.03,
      floorMs: null,
    });
  });

  it('when a small job finished, then it teaches the floor, not a time per row', () => {
    // A second InProgress for 100 rows, taken per row, would predict a 1,000,000-row job at 10,000 s.
    expect(observedPace(finished(PACE_MIN_ROWS - 1, 2_000, 1_000))).toEqual({
      queueMs: 2_000,
      msPerRow: null,
      floorMs: 1_000,
    });
  });

  it('when a job’s info is missing a field, then nothing is learned from it', () => {
    expect(observedPace({ ...finished(500_000, 2_000, 15_000), totalProcessingTime: 0 })).toBeNull();
    expect(observedPace({ ...finished(500_000, 2_000, 15_000), systemModstamp: null })).toBeNull();
    expect(observedPace({ ...finished(500_000, 2_000, 15_000), createdDate: 'not a date' })).toBeNull();
  });

  it('when the clock says the job ran shorter than its processing time, then no queue time is negative', () => {
    expect(observedPace(finished(100_000, -500, 3_000))?.queueMs).toBe(0);
  });

  it('when a job is predicted, then the prediction is a little late, never early', () => {
    const pace = { queueMs: 2_000, msPerRow: 0.03, floorMs: 1_000 };
    const actual = 2_000 + 1_000_000 * 0.03;
    const predicted = expectedDurationMs(pace, 1_000_000, 500) ?? 0;
    expect(predicted).toBeGreaterThan(actual + 500);
    expect(predicted).toBeLessThan(actual * 1.1 + 500);
    // A small job takes the floor, not its few rows' share.
    expect(expectedDurationMs(pace, 100, 500)).toBeGreaterThan(3_000 + 500);
  });

  it('when the pace does not cover a job’s size, then there is no prediction', () => {
    const smallOnly = { queueMs: 2_000, msPerRow: null, floorMs: 1_000 };
    expect(expectedDurationMs(smallOnly, 1_000_000, 500)).toBeNull();
    expect(expectedDurationMs(smallOnly, 100, 500)).toBeGreaterThan(3_000);
    expect(expectedDurationMs({ queueMs: 2_000, msPerRow: null, floorMs: null }, 100, 500)).toBeNull();
  });

  it('when a new job shows another pace, then the remembered one moves half-way to it, keeping what it did not show', () => {
    const first = { queueMs: 1_000, msPerRow: 0.02, floorMs: null };
    expect(blendPace(null, first)).toEqual(first);
    expect(blendPace(first, { queueMs: 3_000, msPerRow: 0.04, floorMs: null })).toEqual({
      queueMs: 2_000,
      msPerRow: 0.03,
      floorMs: null,
    });
    expect(blendPace(first, { queueMs: 3_000, msPerRow: null, floorMs: 1_200 })).toEqual({
      queueMs: 2_000,
      msPerRow: 0.02,
      floorMs: 1_200,
    });
  });
});
