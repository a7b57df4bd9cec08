/**
 * Wraps every processor with what all jobs share: the payload parsed again on receipt, the JobRun
 * moved along, Salesforce errors turned into BullMQ's vocabulary (a paused org → delayed without
 * spending an attempt; retryable → thrown for backoff; auth / permanent → UnrecoverableError), and
 * the run's end noticed (root succeeded, or a chain job failed for good).
 */
import {
  DelayedError,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  type Job,
  type Processor,
} from 'bullmq';
import type { Logger } from 'pino';
import type { Models } from '../shared/db/models.js';
import { SeatwiseError } from '../shared/errors.js';
import { RUN_JOB_NAMES, type RunJobName } from '../shared/jobs/catalog.js';
import type { JobDefinition } from '../shared/jobs/jobDefinition.js';
import { RECLAIM_BATCH_JOB_NAME } from '../shared/jobs/reclaimBatch.js';
import { failureEndsRun, finishRun, RUN_ROOT_JOB } from '../shared/pipeline/runLifecycle.js';
import { SalesforceError } from '../shared/salesforce/salesforceError.js';
import type { ReadTopic } from '../shared/pipeline/readGenerations.js';
import type { ErrorInfo, JobRunRecorder } from './jobRunRecorder.js';
import { TOPICS_AT_START, topicsAtEnd } from './readChanges.js';
import type { JobMetrics } from './metrics.js';
import type { JobProcessor } from './workerDeps.js';

/** Failures of ours that no retry can fix (the profile or its alias is gone or unreadable). */
const PERMANENT_CODES = new Set([
  'PROFILE_NOT_FOUND',
  'PROFILE_HAS_NO_ALIAS',
  'ALIAS_NOT_FOUND',
  'CRYPTO_KEY_MISSING',
  'CRYPTO_TAMPERED',
]);

/** When a paused org gave no instant, look again after this. */
const DEFAULT_PAUSE_MS = 60_000;

export interface ExecutionDeps {
  models: Models;
  log: Logger;
  recorder: JobRunRecorder;
  metrics: JobMetrics;
  /** A job of this profile started or ended: these of the api's cached reads of it are out of date. */
  readsChanged(profileId: string, topics: readonly ReadTopic[] | 'everything'): Promise<void>;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof SalesforceError) {
    return { code: `${error.code}:${error.errorCode}`, message: error.message.slice(0, 1_000) };
  }
  if (error instanceof SeatwiseError) return { code: error.code, message: error.message.slice(0, 1_000) };
  const message = error instanceof Error ? error.message : String(error);
  // Codes carried in a message ("JOB_PAYLOAD_INVALID: …"), as processors throw UnrecoverableError.
  const code = /^([A-Z][A-Z0-9_]{2,}):/.exec(message)?.[1] ?? 'JOB_FAILED';
  return { code, message: message.slice(0, 1_000) };
}

function isRunJob(name: string): name is RunJobName {
  return (RUN_JOB_NAMES as readonly string[]).includes(name);
}

/** The run job a job stands for: a reclaim batch's final failure fails its parent (and so the run). */
function runJobOf(name: string): RunJobName | null {
  if (name === RECLAIM_BATCH_JOB_NAME) return 'reclaim';
  return isRunJob(name) ? name : null;
}

/** BullMQ's own control flow, thrown by processors on purpose: never a failure. */
function isControlFlow(error: unknown): boolean {
  return (
    error instanceof DelayedError || error instanceof WaitingChildrenError || error instanceof RateLimitError
  );
}

function runIdOf(job: Job): string | null {
  const data = job.data as { runId?: unknown } | null;
  return typeof data?.runId === 'string' ? data.runId : null;
}

function permanent(error: unknown): boolean {
  if (error instanceof UnrecoverableError) return true;
  if (error instanceof SalesforceError) return error.kind === 'auth' || error.kind === 'permanent';
  return error instanceof SeatwiseError && PERMANENT_CODES.has(error.code);
}

export function executeJob(
  definition: JobDefinition<unknown>,
  processor: JobProcessor,
  deps: ExecutionDeps,
): Processor {
  return async (job: Job, token?: string) => {
    const schema = definition.childPayloadSchemas?.[job.name] ?? definition.payloadSchema;
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`)
        .join('; ');
      deps.metrics.jobFinished(job.queueName, 'invalid', 0);
      throw new UnrecoverableError(`JOB_PAYLOAD_INVALID: ${job.name} ${job.id ?? ''}: ${problems}`);
    }
    const runId = runIdOf(job);
    const profileId = (parsed.data as { profileId: string }).profileId;
    const log = deps.log.child({ job: job.name, jobId: job.id, profileId, runId });
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    // Fan-out children have no JobRun of their own; their parent's row tells the story.
    const isChild = job.name !== definition.name;
    if (runId && !isChild) await deps.recorder.started(job, runId);
    await deps.readsChanged(profileId, TOPICS_AT_START);
    let ended: 'succeeded' | 'failed' | 'waiting' = 'failed';
    try {
      const outcome = await processor(job, token);
      ended = 'succeeded';
      if (runId && !isChild) {
        await deps.recorder.succeeded(job, runId, outcome);
        if (job.name === RUN_ROOT_JOB) await finishRun(deps.models, { profileId, runId });
      }
      deps.metrics.jobFinished(job.queueName, 'succeeded', seconds());
      return outcome;
    } catch (error) {
      if (isControlFlow(error)) {
        ended = 'waiting';
        deps.metrics.jobFinished(job.queueName, 'delayed', seconds());
        throw error;
      }
      const info = errorInfo(error);
      if (error instanceof SalesforceError && error.pausesOrg) {
        ended = 'waiting';
        const until = error.retryAt ?? new Date(Date.now() + DEFAULT_PAUSE_MS);
        await job.moveToDelayed(until.getTime(), token);
        if (runId) await deps.recorder.paused(job, runId, until, info);
        log.info({ until, code: info.code }, 'org paused: job delayed');
        deps.metrics.jobFinished(job.queueName, 'delayed', seconds());
        throw new DelayedError();
      }
      const final = permanent(error);
      const willRetry = !final && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      const runJob = runJobOf(job.name);
      if (runId && runJob && (!isChild || !willRetry)) {
        await deps.recorder.failed(job, runId, info, willRetry, runJob);
        if (!willRetry && failureEndsRun(runJob)) {
          await finishRun(deps.models, { profileId, runId, failedJob: runJob, reason: info });
        }
      }
      log.warn(
        { code: info.code, willRetry, err: error },
        willRetry ? 'job failed; will retry' : 'job failed',
      );
      deps.metrics.jobFinished(job.queueName, willRetry ? 'retry' : 'failed', seconds());
      if (final && !(error instanceof UnrecoverableError)) {
        throw new UnrecoverableError(`${info.code}: ${info.message}`);
      }
      throw error;
    } finally {
      await deps.readsChanged(profileId, topicsAtEnd(job.name, ended));
    }
  };
}

/**
 * A job BullMQ failed without our processor saying so (stalled too often): record it and end its
 * run, unless the processor already did.
 */
export async function recordFailedOutsideProcessor(
  job: Job,
  error: Error,
  deps: ExecutionDeps,
): Promise<void> {
  const runId = runIdOf(job);
  const runJob = runJobOf(job.name);
  if (!runId || !runJob || !job.finishedOn) return;
  const info = errorInfo(error);
  await deps.recorder.failed(job, runId, info, false, runJob);
  const profileId = (job.data as { profileId?: unknown }).profileId;
  if (typeof profileId === 'string' && failureEndsRun(runJob)) {
    await finishRun(deps.models, { profileId, runId, failedJob: runJob, reason: info });
  }
  if (typeof profileId === 'string') await deps.readsChanged(profileId, 'everything');
}
