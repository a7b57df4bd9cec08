/**
 * How the api starts work: every entry point the api needs, in one place, so the api never builds
 * BullMQ jobs itself. Owned by the worker issue (#6); the signatures are the contract with the api.
 */
import { randomUUID } from 'node:crypto';
import type { FlowJob, Job, JobsOptions } from 'bullmq';
import { unavailableDependency } from '../dependencyErrors.js';
import type { RedisConnection } from '../redis.js';
import { SeatwiseError } from '../errors.js';
import type { Models } from '../db/models.js';
import type { RunTrigger } from '../db/models/jobRun.model.js';
import { JOB_CATALOG, jobRunId, type RunJobName } from '../jobs/catalog.js';
import type { JobDefinition } from '../jobs/jobDefinition.js';
import type { RunPayload } from '../jobs/runPayload.js';
import { schedulerIdFor, scheduledRunJob } from '../jobs/scheduledRun.js';
import { validateJob } from '../jobs/validate.js';
import { JOB_NAMES } from '../queues.js';
import { withProfileLock } from './profileLock.js';
import { flowProducerFor, queueFor } from './queueHandles.js';
import { RUN_ROOT_JOB } from './runLifecycle.js';

export interface PipelineDeps {
  /** A connection BullMQ may use (maxRetriesPerRequest: null). */
  redis: RedisConnection;
  prefix: string;
  models: Models;
}

export interface StartedRun {
  runId: string;
  /** True when a run was already in flight for the profile and this request joined it. */
  coalesced: boolean;
}

/** BullMQ's own history is for Bull Board; the lasting record is the JobRun. */
const KEEP_IN_BULLMQ: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 5_000 },
};

/** A claim whose jobs never reached Redis (the starter died in between) is taken over after this. */
const ORPHANED_CLAIM_MS = 60_000;

export function newRunId(): string {
  return `run_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

interface ProfileForRun {
  _id: unknown;
  displayName: string;
  currentRunId?: string | null;
  subflows?: { downloadConsumption?: boolean | null } | null;
}

async function loadProfile(models: Models, profileId: string): Promise<ProfileForRun> {
  if (!/^[a-f0-9]{24}$/.test(profileId)) {
    throw new SeatwiseError('PROFILE_NOT_FOUND', 'no such profile', { profileId });
  }
  const profile = await models.IntegrationProfile.findById(profileId, {
    displayName: 1,
    currentRunId: 1,
    subflows: 1,
  }).lean<ProfileForRun>();
  if (!profile) throw new SeatwiseError('PROFILE_NOT_FOUND', 'no such profile', { profileId });
  return profile;
}

function jobOptions(definition: JobDefinition<RunPayload>, payload: RunPayload): JobsOptions {
  return { jobId: definition.jobId(payload), ...definition.defaultOptions, ...KEEP_IN_BULLMQ };
}

/** Enqueues the validate job for a profile; its JobRun (trigger `validate`) is written at once. */
export async function enqueueValidate(
  deps: PipelineDeps,
  request: { profileId: string; requestedBy: string },
): Promise<StartedRun> {
  const profile = await loadProfile(deps.models, request.profileId);
  const payload = validateJob.payloadSchema.parse({ profileId: request.profileId, runId: newRunId() });
  const options = jobOptions(validateJob, payload);
  await deps.models.JobRun.create({
    _id: jobRunId(payload.runId, validateJob.name),
    runId: payload.runId,
    profileId: request.profileId,
    profileName: profile.displayName,
    jobName: validateJob.name,
    trigger: 'validate',
    bullJobId: options.jobId,
    status: 'queued',
    queuedAt: new Date(),
  });
  await queueFor(deps.redis, deps.prefix, validateJob.queue).add(validateJob.name, payload, options);
  return { runId: payload.runId, coalesced: false };
}

/**
 * The run as one BullMQ flow. `reclaim` is the root (its completion is the run's end), with
 * `computeCandidates` as its child, whose children are the two downloads. A failed download or
 * computation fails its parents (`failParentOnFailure`) so the run fails visibly; consumption sits
 * beside the chain (`ignoreDependencyOnFailure`): losing it never stops a reclaim.
 */
function runFlow(payload: RunPayload, withConsumption: boolean): FlowJob {
  const node = (name: RunJobName, extra: JobsOptions, children?: FlowJob[]): FlowJob => {
    const definition = JOB_CATALOG[name] as JobDefinition<RunPayload>;
    return {
      name: definition.name,
      queueName: definition.queue,
      data: payload,
      opts: { ...jobOptions(definition, payload), ...extra },
      ...(children ? { children } : {}),
    };
  };
  const downloads = [node('downloadSubscriptions', { failParentOnFailure: true })];
  if (withConsumption) downloads.push(node('downloadConsumption', { ignoreDependencyOnFailure: true }));
  return node('reclaim', {}, [node('computeCandidates', { failParentOnFailure: true }, downloads)]);
}

/** Starts a run (download → compute → reclaim, consumption beside it), or joins the one in flight. */
export async function startRun(
  deps: PipelineDeps,
  request: { profileId: string; trigger: RunTrigger; requestedBy: string },
): Promise<StartedRun> {
  return withProfileLock(deps.redis, deps.prefix, request.profileId, () => claimOrJoin(deps, request));
}

async function claimOrJoin(
  deps: PipelineDeps,
  request: { profileId: string; trigger: RunTrigger; requestedBy: string },
): Promise<StartedRun> {
  const { models } = deps;
  for (let attempt = 0; attempt < 5; attempt++) {
    const profile = await loadProfile(models, request.profileId);
    if (profile.currentRunId) {
      if (!(await isOrphaned(deps, profile.currentRunId))) {
        return { runId: profile.currentRunId, coalesced: true };
      }
    }
    const runId = newRunId();
    // One run in flight per profile: the claim is a conditional update, so two starters cannot both win.
    const claim = await models.IntegrationProfile.updateOne(
      { _id: request.profileId, currentRunId: profile.currentRunId ?? null },
      { $set: { currentRunId: runId } },
      { timestamps: false },
    );
    if (claim.modifiedCount !== 1) continue; // someone else claimed or released in between: look again
    await enqueueRun(deps, {
      profile,
      runId,
      trigger: request.trigger,
      withConsumption: profile.subflows?.downloadConsumption !== false,
    });
    return { runId, coalesced: false };
  }
  throw new SeatwiseError('RUN_CLAIM_CONTENDED', 'could not start or join a run; try again', {
    profileId: request.profileId,
  });
}

async function enqueueRun(
  deps: PipelineDeps,
  run: { profile: ProfileForRun; runId: string; trigger: RunTrigger; withConsumption: boolean },
): Promise<void> {
  const profileId = String(run.profile._id);
  const payload: RunPayload = { profileId, runId: run.runId };
  const flow = runFlow(payload, run.withConsumption);
  const queuedAt = new Date();
  const rows: Record<string, unknown>[] = [];
  const collect = (job: FlowJob) => {
    rows.push({
      _id: jobRunId(run.runId, job.name),
      runId: run.runId,
      profileId,
      profileName: run.profile.displayName,
      jobName: job.name,
      trigger: run.trigger,
      bullJobId: job.opts?.jobId ?? null,
      status: 'queued',
      queuedAt,
    });
    for (const child of job.children ?? []) collect(child);
  };
  collect(flow);
  try {
    await deps.models.JobRun.insertMany(rows, { ordered: false });
    await flowProducerFor(deps.redis, deps.prefix).add(flow);
  } catch (error) {
    await deps.models.JobRun.updateMany(
      { runId: run.runId, status: 'queued' },
      {
        $set: {
          status: 'cancelled',
          finishedAt: new Date(),
          error: { code: 'RUN_ENQUEUE_FAILED', message: 'the run could not be queued' },
        },
      },
    ).catch(() => undefined);
    await deps.models.IntegrationProfile.updateOne(
      { _id: profileId, currentRunId: run.runId },
      { $set: { currentRunId: null } },
      { timestamps: false },
    ).catch(() => undefined);
    throw new SeatwiseError(
      'RUN_ENQUEUE_FAILED',
      'the run could not be queued',
      { profileId },
      { cause: error },
    );
  }
}

/** Root job states in which the run may still finish on its own; in any other it never will. */
const LIVE_ROOT_STATES = new Set(['waiting-children', 'waiting', 'delayed', 'prioritized', 'active']);

/**
 * A claimed run no longer blocks its profile once its root job is failed (BullMQ keeps failed jobs
 * for 14 days), completed or gone from Redis (a lost release, a Redis data loss), or its record says
 * it ended. A root job merely absent for a moment is not enough: the starter may be between its
 * claim and its enqueue, so a claim younger than ORPHANED_CLAIM_MS, or without any record yet, stands.
 */
export async function isOrphaned(deps: PipelineDeps, runId: string): Promise<boolean> {
  const root = await deps.models.JobRun.findById(jobRunId(runId, RUN_ROOT_JOB), {
    status: 1,
    queuedAt: 1,
  }).lean<{ status: string; queuedAt: Date } | null>();
  if (root && ['succeeded', 'failed', 'cancelled'].includes(root.status)) return true;
  const definition = JOB_CATALOG[RUN_ROOT_JOB] as JobDefinition<RunPayload>;
  const job = await queueFor(deps.redis, deps.prefix, definition.queue).getJob(
    definition.jobId({ profileId: '0'.repeat(24), runId }),
  );
  if (job) return !LIVE_ROOT_STATES.has(await job.getState());
  if (root && Date.now() - root.queuedAt.getTime() < ORPHANED_CLAIM_MS) return false;
  // No record at all: the starter may be between its claim and its insert; give it the same grace.
  return root !== null;
}

/** Registers (or replaces) the profile's job scheduler from its `schedule`. */
export async function scheduleProfile(deps: PipelineDeps, profileId: string): Promise<void> {
  if (!/^[a-f0-9]{24}$/.test(profileId)) {
    throw new SeatwiseError('PROFILE_NOT_FOUND', 'no such profile', { profileId });
  }
  const profile = await deps.models.IntegrationProfile.findById(profileId, { schedule: 1 }).lean<{
    schedule?: { cron: string; timezone: string } | null;
  }>();
  if (!profile) throw new SeatwiseError('PROFILE_NOT_FOUND', 'no such profile', { profileId });
  const cron = profile.schedule?.cron ?? '0 3 * * *';
  const timezone = profile.schedule?.timezone ?? 'UTC';
  const payload = scheduledRunJob.payloadSchema.parse({ profileId });
  try {
    await queueFor(deps.redis, deps.prefix, scheduledRunJob.queue).upsertJobScheduler(
      schedulerIdFor(profileId),
      { pattern: cron, tz: timezone },
      {
        name: scheduledRunJob.name,
        data: payload,
        opts: {
          ...scheduledRunJob.defaultOptions,
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        },
      },
    );
  } catch (error) {
    // Redis being unreachable is not the schedule's fault: the caller answers 503, not 400.
    if (unavailableDependency(error)) throw error;
    throw new SeatwiseError(
      'SCHEDULE_INVALID',
      `the schedule could not be registered: ${(error as Error).message}`,
      { profileId, cron, timezone },
      { cause: error },
    );
  }
}

/** Removes the profile's job scheduler (unpublish / pause). */
export async function unscheduleProfile(deps: PipelineDeps, profileId: string): Promise<void> {
  await queueFor(deps.redis, deps.prefix, scheduledRunJob.queue).removeJobScheduler(
    schedulerIdFor(profileId),
  );
}

/** Jobs not yet started; an active job finishes (or fails) on its own. */
const NOT_STARTED = ['waiting-children', 'waiting', 'delayed', 'prioritized'] as const;
const PAGE = 500;

/** Removes the scheduler and every waiting/delayed job of the profile (forced delete). */
export async function purgeProfileJobs(deps: PipelineDeps, profileId: string): Promise<void> {
  await unscheduleProfile(deps, profileId);
  // Roots first: removing a flow's parent removes its waiting children with it.
  const order = ['reclaim', 'computeCandidates', ...JOB_NAMES] as const;
  const seen = new Set<string>();
  for (const name of order) {
    if (seen.has(name)) continue;
    seen.add(name);
    const queue = queueFor(deps.redis, deps.prefix, JOB_CATALOG[name].queue);
    // Collected first: removing while paging would shift the pages under us.
    const doomed: Job[] = [];
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([...NOT_STARTED], start, start + PAGE - 1);
      for (const job of jobs) {
        const data = job.data as { profileId?: unknown } | undefined;
        if (data?.profileId === profileId) doomed.push(job);
      }
      if (jobs.length < PAGE) break;
    }
    // A job that became active meanwhile is locked and stays; it finds its profile gone.
    for (const job of doomed) await job.remove({ removeChildren: true }).catch(() => undefined);
  }
  await deps.models.JobRun.updateMany(
    { profileId, status: { $in: ['queued', 'delayed'] } },
    {
      $set: {
        status: 'cancelled',
        finishedAt: new Date(),
        error: { code: 'PROFILE_PURGED', message: 'the profile was deleted before this job ran' },
      },
    },
  );
  await deps.models.IntegrationProfile.updateOne(
    { _id: profileId },
    { $set: { currentRunId: null } },
    { timestamps: false },
  );
}
