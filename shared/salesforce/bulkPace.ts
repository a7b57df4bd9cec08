/**
 * How long this org's Bulk API 2.0 query jobs take, learned from the jobs it finished, so that the
 * first status call of the next one comes about when it should be done instead of on a schedule
 * that knows nothing (every status call counts against the org's daily allowance). Salesforce
 * publishes no throughput, and it differs by org, object and load; what a finished job reports is
 * enough: how long it ran (`totalProcessingTime`), how many rows it returned
 * (`numberRecordsProcessed`), and when it was created and last changed (`createdDate`,
 * `systemModstamp`; Bulk API 2.0 guide, "Get Information About a Query Job").
 */
import { z } from 'zod';

export interface BulkPace {
  /** From creation to the start of processing (UploadComplete). */
  queueMs: number;
  /** Processing per row, learned from big jobs only; null until one finished. */
  msPerRow: number | null;
  /** Processing of a small job, which is mostly fixed cost; null until one finished. */
  floorMs: number | null;
}

/**
 * Below this many rows a job's time is mostly its fixed cost (at least a second InProgress): it
 * teaches the floor, and a pace per row learned from it would predict a big job far too late.
 */
export const PACE_MIN_ROWS = 20_000;

/** A prediction errs late by this share (plus a slack), so that its one status call finds the job done. */
const LATE_SHARE = 0.05;

/** The fields of a finished job's info the pace is read from; any may be missing. */
export const finishedJobSchema = z.object({
  createdDate: z.string().nullish(),
  systemModstamp: z.string().nullish(),
  totalProcessingTime: z.number().nullish(),
  numberRecordsProcessed: z.number().nullish(),
});
export type FinishedJob = z.infer<typeof finishedJobSchema>;

const instant = (value: string | null | undefined): number => (value ? new Date(value).getTime() : NaN);

/** The pace a `JobComplete` job showed, or null when its info says too little. */
export function observedPace(job: FinishedJob): BulkPace | null {
  const rows = job.numberRecordsProcessed ?? 0;
  const processingMs = job.totalProcessingTime ?? 0;
  const elapsedMs = instant(job.systemModstamp) - instant(job.createdDate);
  if (processingMs <= 0 || !Number.isFinite(elapsedMs)) return null;
  const big = rows >= PACE_MIN_ROWS;
  return {
    queueMs: Math.max(0, elapsedMs - processingMs),
    msPerRow: big ? processingMs / rows : null,
    floorMs: big ? null : processingMs,
  };
}

const halfWay = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : (a + b) / 2;

/** The remembered pace moved half-way to what the latest job showed: one slow job does not rule. */
export function blendPace(previous: BulkPace | null, observed: BulkPace): BulkPace {
  if (!previous) return observed;
  return {
    queueMs: (previous.queueMs + observed.queueMs) / 2,
    msPerRow: halfWay(previous.msPerRow, observed.msPerRow),
    floorMs: halfWay(previous.floorMs, observed.floorMs),
  };
}

/**
 * From its creation, when a job of `rows` rows should be done, a little late rather than early:
 * `slackMs` more (half the poll schedule's first pause: Salesforce's timestamps are to the second).
 * Null when the pace does not cover a job of that size (a big one before any big job finished).
 */
export function expectedDurationMs(pace: BulkPace, rows: number, slackMs: number): number | null {
  if (pace.msPerRow === null && (rows >= PACE_MIN_ROWS || pace.floorMs === null)) return null;
  const processingMs = Math.max(pace.floorMs ?? 0, rows * (pace.msPerRow ?? 0));
  return Math.round((pace.queueMs + processingMs) * (1 + LATE_SHARE) + slackMs);
}
