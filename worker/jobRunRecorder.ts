/**
 * The one place that writes job history (JobRun). Rows are created at enqueue by the pipeline;
 * here they only move: running → succeeded / failed / delayed. A job without a row (scheduler
 * ticks, fan-out children) is simply not recorded.
 */
import type { Job } from 'bullmq';
import type { Models } from '../shared/db/models.js';
import { jobRunId } from '../shared/jobs/catalog.js';
import type { JobOutcome } from './workerDeps.js';

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface JobRunRecorder {
  started(job: Job, runId: string): Promise<void>;
  succeeded(job: Job, runId: string, outcome: JobOutcome): Promise<void>;
  /**
   * `willRetry`: BullMQ will try again after its backoff (status delayed, the error kept).
   * `jobName`: the row to write when it is not the job's own (a fan-out child failing its parent).
   */
  failed(job: Job, runId: string, error: ErrorInfo, willRetry: boolean, jobName?: string): Promise<void>;
  /** The org is paused: the job waits until `until` without spending an attempt. */
  paused(job: Job, runId: string, until: Date, error: ErrorInfo): Promise<void>;
}

const FINISHED = ['succeeded', 'failed', 'cancelled'];

export function createJobRunRecorder(models: Models): JobRunRecorder {
  const update = async (
    job: Job,
    runId: string,
    set: Record<string, unknown>,
    onlyUnfinished = false,
    jobName = job.name,
  ) => {
    const filter: Record<string, unknown> = { _id: jobRunId(runId, jobName) };
    if (onlyUnfinished) filter.status = { $nin: FINISHED };
    await models.JobRun.updateOne(filter, { $set: set });
  };
  const attempts = (job: Job) => job.attemptsMade + 1;
  return {
    async started(job, runId) {
      const set = { status: 'running', attempts: attempts(job), bullJobId: job.id ?? null };
      // The first start stamps startedAt; later attempts keep it, so the duration covers retries.
      // One command on a first attempt (most jobs): every update of this ever-growing collection
      // is a scan on FerretDB (`engineQuirks.ts`).
      const first = await models.JobRun.updateOne(
        { _id: jobRunId(runId, job.name), startedAt: null },
        { $set: { ...set, startedAt: new Date() } },
      );
      if (first.matchedCount === 0) await update(job, runId, set);
    },
    async succeeded(job, runId, outcome) {
      await update(job, runId, {
        status: 'succeeded',
        finishedAt: new Date(),
        attempts: attempts(job),
        counts: outcome.counts,
        apiUsage: outcome.apiUsage ? { used: outcome.apiUsage.used, max: outcome.apiUsage.max } : null,
        result: outcome.result,
        error: null,
      });
    },
    async failed(job, runId, error, willRetry, jobName) {
      const own = !jobName || jobName === job.name;
      await update(
        job,
        runId,
        willRetry
          ? { status: 'delayed', attempts: attempts(job), error }
          : { status: 'failed', finishedAt: new Date(), error, ...(own ? { attempts: attempts(job) } : {}) },
        true,
        jobName,
      );
    },
    async paused(job, runId, until, error) {
      await update(job, runId, {
        status: 'delayed',
        error,
        result: { pausedUntil: until.toISOString() },
      });
    },
  };
}
