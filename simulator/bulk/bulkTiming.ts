/**
 * How long a Bulk API 2.0 query job takes, as a big org shows it. Salesforce publishes no
 * throughput figures; what it documents is the shape: a job waits in the queue (UploadComplete),
 * then runs (InProgress) split into PK chunks when it can, and `ORDER BY` or `LIMIT` disable PK
 * chunking so the query "takes longer to execute, and potentially results in query timeouts"
 * (Bulk API 2.0 guide, "Troubleshooting Query Timeouts"). A query that does not run within the
 * standard 2-minute limit fails with QUERY_TIMEOUT ("How Bulk Queries Are Processed"). The rates
 * below are chosen (simulator/README.md says so); `timeScale` shrinks every duration for tests.
 */
export interface BulkTiming {
  /** Time in UploadComplete before processing starts. */
  queuedMs: number;
  /** Processing per 100,000 rows when PK chunking applies (chunks of 100,000, Salesforce's default). */
  chunkedMsPer100k: number;
  /** Processing per 100,000 rows of one unchunked query (`ORDER BY` or `LIMIT`). */
  unchunkedMsPer100k: number;
  /** Even an empty job spends this long InProgress. */
  minProcessingMs: number;
  /** An unchunked query running longer than this fails (QUERY_TIMEOUT); a chunk never does here. */
  queryTimeoutMs: number;
  /** Multiplies every duration above: 1 = as a big org behaves, 0.01 = a hundred times faster. */
  timeScale: number;
}

export const REALISTIC_BULK_TIMING: Omit<BulkTiming, 'timeScale'> = {
  queuedMs: 2_000,
  chunkedMsPer100k: 3_000,
  unchunkedMsPer100k: 15_000,
  minProcessingMs: 1_000,
  queryTimeoutMs: 120_000,
};

/** In-process simulators (tests) default to a hundredth of real time; the CLI and the bench use 1. */
export const DEFAULT_IN_PROCESS_TIME_SCALE = 0.01;

export function bulkTimingOf(options: Partial<BulkTiming> | undefined, defaultScale: number): BulkTiming {
  return { ...REALISTIC_BULK_TIMING, timeScale: defaultScale, ...options };
}

export interface JobPlan {
  /** PK chunking applies (no ORDER BY, no LIMIT). */
  chunked: boolean;
  /** From creation: when processing starts, and when the job ends (complete or failed). */
  startMs: number;
  endMs: number;
  /** Set when the job ends Failed: Salesforce's errorMessage. */
  failure: string | null;
}

/** The REST API's QUERY_TIMEOUT text; what a Bulk 2.0 job shows on a timeout is not published. */
export const QUERY_TIMEOUT_MESSAGE = 'QUERY_TIMEOUT: Your query request was running for too long.';

/** When the job starts, ends and whether it fails, from its row count and its SOQL. */
export function planJob(
  timing: BulkTiming,
  rows: number,
  query: { order: readonly unknown[]; limit?: number | undefined },
  injectedFailure: string | null,
): JobPlan {
  const chunked = query.order.length === 0 && query.limit === undefined;
  const scale = timing.timeScale;
  const perRow = (chunked ? timing.chunkedMsPer100k : timing.unchunkedMsPer100k) / 100_000;
  const runMs = Math.max(timing.minProcessingMs, rows * perRow) * scale;
  const startMs = timing.queuedMs * scale;
  const timeoutMs = timing.queryTimeoutMs * scale;
  if (injectedFailure !== null) {
    // An injected failure ends the job half-way through its processing, as a real one would.
    return { chunked, startMs, endMs: startMs + runMs / 2, failure: injectedFailure };
  }
  if (!chunked && runMs > timeoutMs) {
    return { chunked, startMs, endMs: startMs + timeoutMs, failure: QUERY_TIMEOUT_MESSAGE };
  }
  return { chunked, startMs, endMs: startMs + runMs, failure: null };
}
