/**
 * When to ask Salesforce whether a Bulk API 2.0 query job has finished. Every status call counts
 * against the org's daily allowance, and a big org's job runs for tens of seconds (PK-chunked) to
 * minutes: the wait starts short, so a small job is seen done soon, and grows by half each time up
 * to a cap, so a long job costs a handful of calls (see {@link pollsUntil}; README, Benchmark).
 */
export interface BulkPollSchedule {
  /** Wait before the first status call. */
  firstMs: number;
  /** Longest wait between two status calls. */
  maxMs: number;
}

export const BULK_POLL_GROWTH = 1.5;

/** The waits before each status call, in order (endless). */
export function* pollDelays(schedule: BulkPollSchedule): Generator<number, never> {
  let delay = schedule.firstMs;
  for (;;) {
    yield delay;
    delay = Math.min(delay * BULK_POLL_GROWTH, schedule.maxMs);
  }
}

/**
 * Status calls a job that ends `durationMs` after its creation costs, the one that sees it ended
 * included, and how long after its end that call comes (ignoring each call's own latency).
 */
export function pollsUntil(
  durationMs: number,
  schedule: BulkPollSchedule,
): { polls: number; lateMs: number } {
  const delays = pollDelays(schedule);
  let at = 0;
  let polls = 0;
  while (at < durationMs) {
    at += delays.next().value;
    polls += 1;
  }
  return { polls, lateMs: at - durationMs };
}
