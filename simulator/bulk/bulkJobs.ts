/**
 * Bulk API 2.0 query jobs. The result set is fixed when the job is created; the state moves
 * UploadComplete → InProgress → JobComplete (or Failed) on the clock, as {@link planJob} decides.
 */
import type { CompiledQuery } from '../soql/soqlCompiler.js';
import { formatRestDateTime } from '../org/salesforceDates.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';
import { planJob, type BulkTiming, type JobPlan } from './bulkTiming.js';

export type BulkJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';

export interface BulkJob {
  id: string;
  operation: 'query' | 'queryAll';
  query: CompiledQuery;
  rows: Int32Array;
  createdById: string;
  createdMs: number;
  apiVersion: string;
  lineEnding: 'LF' | 'CRLF';
  abortedMs: number | null;
  plan: JobPlan;
}

export type NewBulkJob = Omit<BulkJob, 'id' | 'createdMs' | 'abortedMs' | 'plan'> & {
  /** errorMessage of an injected failure (a `bulkJobFailed` fault), or null. */
  injectedFailure: string | null;
};

export class BulkJobStore {
  private readonly jobs = new Map<string, BulkJob>();
  private counter = 1;

  constructor(
    private readonly idSpace: string,
    private readonly now: () => number,
    public timing: BulkTiming,
  ) {}

  create({ injectedFailure, ...job }: NewBulkJob): BulkJob {
    const created: BulkJob = {
      ...job,
      id: makeId(KEY_PREFIXES.BulkJob, this.idSpace, this.counter),
      createdMs: this.now(),
      abortedMs: null,
      plan: planJob(this.timing, job.rows.length, job.query, injectedFailure),
    };
    this.counter += 1;
    this.jobs.set(created.id, created);
    return created;
  }

  get(id: string): BulkJob | undefined {
    return this.jobs.get(id);
  }

  all(): BulkJob[] {
    return [...this.jobs.values()];
  }

  delete(id: string): boolean {
    return this.jobs.delete(id);
  }

  private processingMs(job: BulkJob): number {
    return job.plan.endMs - job.plan.startMs;
  }

  private endedMs(job: BulkJob): number {
    return job.createdMs + job.plan.endMs;
  }

  state(job: BulkJob): BulkJobState {
    if (job.abortedMs !== null) return 'Aborted';
    const elapsed = this.now() - job.createdMs;
    if (elapsed < job.plan.startMs) return 'UploadComplete';
    if (elapsed < job.plan.endMs) return 'InProgress';
    return job.plan.failure === null ? 'JobComplete' : 'Failed';
  }

  processed(job: BulkJob): number {
    const state = this.state(job);
    if (state === 'JobComplete') return job.rows.length;
    if (state !== 'InProgress' && state !== 'Failed') return 0;
    const elapsed = Math.min(this.now(), this.endedMs(job)) - job.createdMs - job.plan.startMs;
    const share = elapsed / Math.max(1, this.processingMs(job));
    // A failed job reports what it got through before failing, never the whole set.
    const cap = state === 'Failed' ? Math.max(0, job.rows.length - 1) : job.rows.length;
    return Math.min(cap, Math.floor(job.rows.length * share));
  }

  abort(job: BulkJob): void {
    job.abortedMs = this.now();
  }

  /** Job info as `POST /jobs/query` returns it. */
  /** `state` is read once by the caller when it shows more of the same moment (details). */
  summary(job: BulkJob, state: BulkJobState = this.state(job)): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.query.table.name,
      createdById: job.createdById,
      createdDate: formatRestDateTime(job.createdMs),
      systemModstamp: formatRestDateTime(Math.min(this.now(), this.endedMs(job))),
      state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      lineEnding: job.lineEnding,
      columnDelimiter: 'COMMA',
    };
  }

  /** Job info as `GET /jobs/query/{id}` returns it. */
  details(job: BulkJob): Record<string, unknown> {
    const state = this.state(job);
    const ended = state === 'JobComplete' || state === 'Failed';
    // One reading of the clock: a job ending between two readings showed Failed without its
    // errorMessage (a flaky client test), which Salesforce never does.
    return {
      ...this.summary(job, state),
      jobType: 'V2Query',
      numberRecordsProcessed: this.processed(job),
      retries: 0,
      totalProcessingTime: ended ? Math.round(this.processingMs(job)) : 0,
      isPkChunkingSupported: job.plan.chunked,
      ...(state === 'Failed' ? { errorMessage: job.plan.failure } : {}),
    };
  }
}
