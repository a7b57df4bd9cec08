/**
 * Bulk API 2.0 query jobs. The result set is fixed when the job is created; the state moves
 * UploadComplete → InProgress → JobComplete on the clock, taking longer for more rows.
 */
import type { CompiledQuery } from '../soql/soqlCompiler.js';
import { formatRestDateTime } from '../org/salesforceDates.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';

export interface BulkTiming {
  /** Time spent in UploadComplete before processing starts. */
  queuedMs: number;
  /** Processing time per result row (InProgress lasts queuedMs + rows × perRecordMs). */
  perRecordMs: number;
}

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
}

export class BulkJobStore {
  private readonly jobs = new Map<string, BulkJob>();
  private counter = 1;

  constructor(
    private readonly idSpace: string,
    private readonly now: () => number,
    public timing: BulkTiming,
  ) {}

  create(job: Omit<BulkJob, 'id' | 'createdMs' | 'abortedMs'>): BulkJob {
    const created: BulkJob = {
      ...job,
      id: makeId(KEY_PREFIXES.BulkJob, this.idSpace, this.counter),
      createdMs: this.now(),
      abortedMs: null,
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
    return Math.max(1, job.rows.length * this.timing.perRecordMs);
  }

  private completedMs(job: BulkJob): number {
    return job.createdMs + this.timing.queuedMs + this.processingMs(job);
  }

  state(job: BulkJob): BulkJobState {
    if (job.abortedMs !== null) return 'Aborted';
    const elapsed = this.now() - job.createdMs;
    if (elapsed < this.timing.queuedMs) return 'UploadComplete';
    return this.now() < this.completedMs(job) ? 'InProgress' : 'JobComplete';
  }

  processed(job: BulkJob): number {
    const state = this.state(job);
    if (state === 'JobComplete') return job.rows.length;
    if (state !== 'InProgress') return 0;
    const share = (this.now() - job.createdMs - this.timing.queuedMs) / this.processingMs(job);
    return Math.min(job.rows.length, Math.floor(job.rows.length * share));
  }

  abort(job: BulkJob): void {
    job.abortedMs = this.now();
  }

  /** Job info as `POST /jobs/query` returns it. */
  summary(job: BulkJob): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.query.table.name,
      createdById: job.createdById,
      createdDate: formatRestDateTime(job.createdMs),
      systemModstamp: formatRestDateTime(Math.min(this.now(), this.completedMs(job))),
      state: this.state(job),
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      lineEnding: job.lineEnding,
      columnDelimiter: 'COMMA',
    };
  }

  /** Job info as `GET /jobs/query/{id}` returns it. */
  details(job: BulkJob): Record<string, unknown> {
    const complete = this.state(job) === 'JobComplete';
    return {
      ...this.summary(job),
      jobType: 'V2Query',
      numberRecordsProcessed: this.processed(job),
      retries: 0,
      totalProcessingTime: complete ? Math.round(this.processingMs(job)) : 0,
      isPkChunkingSupported: true,
    };
  }
}
