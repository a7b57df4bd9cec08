/**
 * A Bulk API 2.0 query: create the job, wait for it with a growing pause between status calls,
 * then stream its CSV results page by page (`Sforce-Locator`). A job that ends `Failed` is run
 * again once as a new job (Salesforce fails jobs for reasons of its own, e.g. an internal error
 * or a timeout); a second failure is an error naming both jobs and Salesforce's errorMessage.
 */
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readCsvPages } from './bulkCsv.js';
import { expectedDurationMs, finishedJobSchema, observedPace, type BulkPace } from './bulkPace.js';
import { pollDelays, type BulkPollSchedule } from './bulkPollSchedule.js';
import { PageHandoff } from './pageHandoff.js';
import { parseRecord } from './recordParsing.js';
import type { QueryOptions, QueryPage } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';
import { parseBody, sleep, type SendRequest } from './salesforceRequest.js';

/**
 * Rows per page handed to the caller from a Bulk results body (which Salesforce sizes itself, up
 * to 100,000+ rows per call). The client alone peaks the same at 5,000 as at 10,000
 * (bench/clientMemory), but a download keeps each page alive while its users are written, two
 * pages in flight: at 2,000 rows its workers peaked at 236 and 261 MB RSS at 100,000 users
 * (288–304 MB at 10,000) and 400 and 319 MB at 1,000,000 (341 and 432 MB), in the same time.
 */
const DEFAULT_BULK_PAGE = 2_000;
/** Longest wait for one job; past it the job is aborted and the extract fails (retryable). */
const BULK_MAX_WAIT_MS = 30 * 60_000;
/** How many new jobs a `Failed` job gets. */
const FAILED_JOB_RERUNS = 1;

const bulkJobSchema = finishedJobSchema.extend({
  id: z.string(),
  state: z.string(),
  errorMessage: z.string().nullish(),
});

type BulkJobInfo = z.infer<typeof bulkJobSchema>;

export interface BulkQueryDeps {
  send: SendRequest;
  /** `/services/data/vNN.N` */
  dataPath: string;
  orgId: () => string | null;
  poll: BulkPollSchedule;
  /** The org's Bulk job pace, shared by every worker (`bulkPace.ts`); advisory, so it may fail. */
  pace: { known(): Promise<BulkPace | null>; learn(observed: BulkPace): Promise<void> };
  log: Logger;
  /** Called for each page handed to the caller. */
  countPage: (records: number) => void;
}

interface ResultsCall<T> {
  locator: string | null;
  /** 1-based number of this results call within the job, for error messages. */
  call: number;
  schema: z.ZodType<T>;
  options: QueryOptions;
  handoff: PageHandoff<T>;
}

/**
 * A Bulk query whose job is created the moment this is called rather than when iteration starts:
 * Salesforce runs a download's extracts side by side while the worker reads the first one's
 * results. Its status is asked only once its results are wanted, on the poll schedule counted from
 * the job's creation: a job that ran while an earlier extract was read costs one status call.
 * `abandon()` aborts at Salesforce a job nobody is going to read; it does nothing once the results
 * are being read.
 */
export interface BulkExtract<T> extends AsyncIterable<QueryPage<T>> {
  abandon(): void;
}

export function bulkQuery<T>(
  deps: BulkQueryDeps,
  soql: string,
  schema: z.ZodType<T>,
  options: QueryOptions = {},
): BulkExtract<T> {
  const jobsPath = `${deps.dataPath}/jobs/query`;
  let markWanted: () => void = () => undefined;
  const control: JobControl = { abandoned: false, wanted: new Promise((r) => (markWanted = r)) };
  let reading = false;
  const job = completedJob(deps, jobsPath, soql, options, control);
  // Surfaced when the results are read; a job failing before that is not an unhandled rejection.
  job.catch(() => undefined);
  return {
    abandon() {
      if (reading) return;
      control.abandoned = true;
      markWanted();
    },
    [Symbol.asyncIterator]() {
      reading = true;
      markWanted();
      return readResults(deps, jobsPath, job, schema, options)[Symbol.asyncIterator]();
    },
  };
}

async function* readResults<T>(
  deps: BulkQueryDeps,
  jobsPath: string,
  completed: Promise<BulkJobInfo>,
  schema: z.ZodType<T>,
  options: QueryOptions,
): AsyncIterable<QueryPage<T>> {
  const job = await completed;
  const totalSize = job.numberRecordsProcessed ?? null;
  const resultsPath = `${jobsPath}/${job.id}/results`;
  let locator: string | null = null;
  let call = 0;
  let page = 0;
  do {
    call += 1;
    const handoff = new PageHandoff<T>();
    const fetching: Promise<string | null> = streamResults(deps, resultsPath, {
      locator,
      call,
      schema,
      options,
      handoff,
    }).then(
      (next) => {
        handoff.finish();
        return next;
      },
      (error: unknown) => {
        handoff.fail(error);
        return null;
      },
    );
    try {
      for (let taken = await handoff.take(); !taken.done; taken = await handoff.take()) {
        page += 1;
        deps.countPage(taken.records.length);
        yield { records: taken.records, totalSize, page };
      }
    } finally {
      // Also reached when the caller stops early: the body in flight is closed, not read on.
      handoff.abandon();
      locator = await fetching;
    }
  } while (locator !== null);
}

interface JobControl {
  abandoned: boolean;
  /** Resolves when the results are first wanted (or the extract is abandoned). */
  wanted: Promise<void>;
}

/** Creates the job and waits for it; a `Failed` job is replaced by a new one, once. */
async function completedJob(
  deps: BulkQueryDeps,
  jobsPath: string,
  soql: string,
  options: QueryOptions,
  control: JobControl,
): Promise<BulkJobInfo> {
  const failures: BulkJobInfo[] = [];
  for (;;) {
    const created = await deps.send({
      method: 'POST',
      path: jobsPath,
      data: { operation: options.all ? 'queryAll' : 'query', query: soql },
      idempotent: false,
      read: (response) => parseBody(bulkJobSchema, response.data, 'bulk job'),
    });
    const job = await waitForJob(deps, `${jobsPath}/${created.id}`, control, {
      createdAt: Date.now(),
      expectedRows: options.expectedRows,
    });
    if (job.state === 'JobComplete') {
      learnPace(deps, job);
      return job;
    }
    if (job.state === 'Failed' && failures.length < FAILED_JOB_RERUNS) {
      failures.push(job);
      deps.log.warn(
        { orgId: deps.orgId(), jobId: job.id, errorMessage: job.errorMessage },
        'salesforce bulk query job failed; running it again as a new job',
      );
      continue;
    }
    throw jobEndedError(deps, jobsPath, job, failures);
  }
}

/** What a finished job showed of the org's pace is remembered for the next one; best effort. */
function learnPace(deps: BulkQueryDeps, job: BulkJobInfo): void {
  const observed = observedPace(job);
  if (!observed) return;
  deps.pace.learn(observed).catch((error: unknown) => {
    deps.log.warn({ orgId: deps.orgId(), err: error }, 'could not remember the bulk job pace');
  });
}

/** How long after its creation the org's pace says the job ends; null when that is not known. */
async function pacedDuration(deps: BulkQueryDeps, expectedRows: number | undefined): Promise<number | null> {
  if (expectedRows === undefined) return null;
  const pace = await deps.pace.known().catch(() => null);
  return pace ? expectedDurationMs(pace, expectedRows, deps.poll.firstMs / 2) : null;
}

/** Polls until the job is JobComplete, Failed or Aborted; aborts it when it takes too long. */
async function waitForJob(
  deps: BulkQueryDeps,
  path: string,
  control: JobControl,
  job: { createdAt: number; expectedRows: number | undefined },
): Promise<BulkJobInfo> {
  await control.wanted;
  const deadline = job.createdAt + BULK_MAX_WAIT_MS;
  const delays = pollDelays(deps.poll);
  // The first call is due when the job should be done by the org's pace, or else one pause after
  // its creation: time spent before the results were wanted counts. Each later one a growing
  // pause after the previous call (from the first pause: a job seen late is nearly done), never to
  // catch up.
  let due = job.createdAt + ((await pacedDuration(deps, job.expectedRows)) ?? delays.next().value);
  for (;;) {
    if (!control.abandoned) await sleep(Math.max(0, due - Date.now()));
    if (control.abandoned) {
      await abortJob(deps, path);
      throw new SalesforceError('Salesforce Bulk API query job abandoned: its download stopped first', {
        kind: 'retryable',
        errorCode: 'BULK_JOB_ABANDONED',
        status: null,
        orgId: deps.orgId(),
        path,
      });
    }
    const info = await deps.send({
      method: 'GET',
      path,
      idempotent: true,
      read: (response) => parseBody(bulkJobSchema, response.data, 'bulk job'),
    });
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
    if (Date.now() > deadline) {
      await abortJob(deps, path);
      throw new SalesforceError(
        `Salesforce Bulk API query job ${info.id} still ${info.state} after ${BULK_MAX_WAIT_MS / 60_000} minutes; aborted it`,
        { kind: 'retryable', errorCode: 'BULK_JOB_TIMEOUT', status: null, orgId: deps.orgId(), path },
      );
    }
    due = Math.max(due, Date.now()) + delays.next().value;
  }
}

/** Nobody will read its results: free Salesforce's side of it. Best effort. */
async function abortJob(deps: BulkQueryDeps, path: string): Promise<void> {
  await deps
    .send({ method: 'PATCH', path, data: { state: 'Aborted' }, idempotent: false, read: () => null })
    .catch(() => undefined);
}

function jobEndedError(
  deps: BulkQueryDeps,
  path: string,
  job: BulkJobInfo,
  earlier: readonly BulkJobInfo[],
): SalesforceError {
  const reason = (j: BulkJobInfo): string => j.errorMessage ?? 'no errorMessage given';
  const before = earlier.map((j) => `; it replaced job ${j.id}, which failed: ${reason(j)}`).join('');
  const message =
    job.state === 'Aborted'
      ? `Salesforce Bulk API query job ${job.id} was aborted (by someone in the org): ${reason(job)}`
      : `Salesforce Bulk API query job ${job.id} failed: ${reason(job)}${before}`;
  return new SalesforceError(message, {
    kind: 'permanent',
    errorCode: job.state === 'Aborted' ? 'BULK_JOB_ABORTED' : 'BULK_JOB_FAILED',
    status: null,
    orgId: deps.orgId(),
    path,
  });
}

/**
 * One results call: as many rows as Salesforce sends at once (the fewest calls), handed on in
 * pages of `batchSize` as they are used. A body cut off part-way is asked for again with the
 * same locator and the rows already handed on are skipped, so no row arrives twice.
 */
function streamResults<T>(deps: BulkQueryDeps, path: string, call: ResultsCall<T>): Promise<string | null> {
  const { options, handoff, schema } = call;
  const params: Record<string, string> = {};
  if (options.resultRowsPerCall) params.maxRecords = String(options.resultRowsPerCall);
  if (call.locator !== null) params.locator = call.locator;
  const where = { orgId: deps.orgId(), page: call.call, bulk: true };
  let delivered = 0;
  return deps.send({
    method: 'GET',
    path,
    params,
    headers: { accept: 'text/csv' },
    idempotent: true,
    stream: true,
    read: async (response, outsideDeadline) => {
      await readCsvPages(response.data as Readable, {
        skip: delivered,
        pageSize: options.batchSize ?? DEFAULT_BULK_PAGE,
        convert: (row, index) => parseRecord(row, schema, index, where),
        deliver: async (records) => {
          const taken = await outsideDeadline(handoff.put(records));
          if (taken) delivered += records.length;
          return taken;
        },
      });
      const header = response.headers['sforce-locator'] as unknown;
      return typeof header === 'string' && header !== '' && header !== 'null' ? header : null;
    },
  });
}
