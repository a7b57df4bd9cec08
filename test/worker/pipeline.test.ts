import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import {
  enqueueValidate,
  purgeProfileJobs,
  scheduleProfile,
  startRun,
  unscheduleProfile,
  type PipelineDeps,
} from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { openTestDb, openTestRedis, testId, type TestDb, type TestRedis } from '../helpers/services.js';

let db: TestDb;
let redis: TestRedis;
let models: Models;
let deps: PipelineDeps;
const queues: Queue[] = [];

function queue(name: string): Queue {
  const q = new Queue(name, { connection: redis.redis, prefix: redis.prefix });
  queues.push(q);
  return q;
}

async function newProfile(extra: Record<string, unknown> = {}): Promise<string> {
  const name = testId('profile');
  const doc = await models.IntegrationProfile.create({
    displayName: name,
    displayNameKey: name.toLowerCase(),
    createdBy: 'test',
    updatedBy: 'test',
    ...extra,
  });
  return String(doc._id);
}

beforeAll(async () => {
  db = await openTestDb('pipeline');
  redis = await openTestRedis('pipeline');
  models = bindModels(db.connection);
  await ensureIndexes(models);
  deps = { redis: redis.redis, prefix: redis.prefix, models };
});

afterAll(async () => {
  await Promise.allSettled(queues.map((q) => q.close()));
  await closeQueueHandles(redis.redis);
  await redis.cleanup();
  await db.drop();
});

describe('startRun', () => {
  it('when a re-sync is requested while a run is in flight, then it joins that run and no second flow is queued', async () => {
    const profileId = await newProfile();
    const first = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });
    const second = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });

    expect(first.coalesced).toBe(false);
    expect(second).toEqual({ runId: first.runId, coalesced: true });
    const profile = await models.IntegrationProfile.findById(profileId).lean();
    expect(profile?.currentRunId).toBe(first.runId);
    const waiting = await queue(QUEUE_NAMES.downloadSubscriptions).getJobs(['waiting']);
    expect(waiting.filter((j) => (j.data as { profileId: string }).profileId === profileId)).toHaveLength(1);
  });

  it('when two requests race, then exactly one run is started and both callers get its id', async () => {
    const profileId = await newProfile();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' })),
    );
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    expect(results.filter((r) => !r.coalesced)).toHaveLength(1);
  });

  it('when a run is started, then every job of it has a queued JobRun named <runId>|<job> with its trigger', async () => {
    const profileId = await newProfile();
    const { runId } = await startRun(deps, { profileId, trigger: 'publish', requestedBy: 'ops' });

    const rows = await models.JobRun.find({ runId }).lean();
    expect(rows.map((r) => r._id).sort()).toEqual(
      ['computeCandidates', 'downloadConsumption', 'downloadSubscriptions', 'reclaim'].map(
        (n) => `${runId}|${n}`,
      ),
    );
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'queued', trigger: 'publish', attempts: 0 });
      expect(row.bullJobId).toMatch(/^[^:]+$/);
      expect(Number.isNaN(Number(row.bullJobId))).toBe(true);
    }
    // The flow: downloads wait for nobody, computeCandidates and reclaim wait for their children.
    const download = await queue(QUEUE_NAMES.downloadSubscriptions).getJob(`${runId}-downloadSubscriptions`);
    expect(await download?.getState()).toBe('waiting');
    const root = await queue(QUEUE_NAMES.reclaim).getJob(`${runId}-reclaim`);
    expect(await root?.getState()).toBe('waiting-children');
  });

  it('when the consumption subflow is off, then the run has no consumption job', async () => {
    const profileId = await newProfile({
      subflows: { downloadSubscriptions: true, reclaimSubscriptions: true, downloadConsumption: false },
    });
    const { runId } = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });
    const names = (await models.JobRun.find({ runId }).lean()).map((r) => r.jobName).sort();
    expect(names).toEqual(['computeCandidates', 'downloadSubscriptions', 'reclaim']);
  });

  it('when the profile does not exist, then it fails with PROFILE_NOT_FOUND', async () => {
    await expect(
      startRun(deps, { profileId: 'a'.repeat(24), trigger: 'manual', requestedBy: 'ops' }),
    ).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
  });

  it('when the claimed run ended but its release was lost, then a new request starts a fresh run', async () => {
    const profileId = await newProfile();
    const { runId } = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });
    await models.JobRun.updateOne({ _id: `${runId}|reclaim` }, { $set: { status: 'succeeded' } });
    const next = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });
    expect(next.coalesced).toBe(false);
    expect(next.runId).not.toBe(runId);
  });
});

describe('orphaned runs', () => {
  /** A profile claimed by a run whose only trace is its root JobRun, queued `ageMs` ago. */
  async function claimedBy(runId: string, ageMs: number): Promise<string> {
    const profileId = await newProfile({ currentRunId: runId });
    await models.JobRun.create({
      _id: `${runId}|reclaim`,
      runId,
      profileId,
      profileName: 'orphan',
      jobName: 'reclaim',
      trigger: 'manual',
      bullJobId: `${runId}-reclaim`,
      status: 'queued',
      queuedAt: new Date(Date.now() - ageMs),
    });
    return profileId;
  }

  it('when the run’s root job failed in BullMQ (kept 14 days) though its record was never updated, then the profile is not blocked: a new request starts a fresh run', async () => {
    const runId = 'run_failedroot000000001';
    const profileId = await claimedBy(runId, 0);
    await queue(QUEUE_NAMES.reclaim).add('reclaim', { profileId, runId }, { jobId: `${runId}-reclaim` });
    const worker = new Worker(QUEUE_NAMES.reclaim, null, { connection: redis.redis, prefix: redis.prefix });
    try {
      const job = await worker.getNextJob('manual-token', { block: false });
      expect(job?.id).toBe(`${runId}-reclaim`);
      await job!.moveToFailed(new Error('boom'), 'manual-token');
    } finally {
      await worker.close();
    }
    expect(await (await queue(QUEUE_NAMES.reclaim).getJob(`${runId}-reclaim`))?.getState()).toBe('failed');

    const next = await startRun(deps, { profileId, trigger: 'manual', requestedBy: 'ops' });
    expect(next.coalesced).toBe(false);
    expect(next.runId).not.toBe(runId);
  });

  it('when the root job is gone and the claim is older than the grace, then a fresh run starts; when the claim is seconds old, then the request joins it', async () => {
    const old = await claimedBy('run_goneroot0000000001', 2 * 60_000);
    const fresh = await startRun(deps, { profileId: old, trigger: 'manual', requestedBy: 'ops' });
    expect(fresh.coalesced).toBe(false);

    // Merely absent: the starter may be between its claim and its enqueue.
    const young = await claimedBy('run_goneroot0000000002', 0);
    const joined = await startRun(deps, { profileId: young, trigger: 'manual', requestedBy: 'ops' });
    expect(joined).toEqual({ runId: 'run_goneroot0000000002', coalesced: true });
  });
});

describe('enqueueValidate', () => {
  it('when validation is requested, then a validate job and its JobRun (trigger validate) exist, and no run is claimed', async () => {
    const profileId = await newProfile();
    const { runId, coalesced } = await enqueueValidate(deps, { profileId, requestedBy: 'admin' });
    expect(coalesced).toBe(false);
    const row = await models.JobRun.findById(`${runId}|validate`).lean();
    expect(row).toMatchObject({ status: 'queued', trigger: 'validate', jobName: 'validate' });
    const job = await queue(QUEUE_NAMES.validate).getJob(`${runId}-validate`);
    expect(job?.data).toEqual({ profileId, runId });
    expect((await models.IntegrationProfile.findById(profileId).lean())?.currentRunId).toBeNull();
  });
});

describe('schedules', () => {
  it('when a profile is scheduled and then unscheduled, then its job scheduler appears with its cron and timezone, then goes', async () => {
    const profileId = await newProfile({ schedule: { cron: '15 4 * * *', timezone: 'Europe/Paris' } });
    const scheduled = queue(QUEUE_NAMES.scheduledRun);
    await scheduleProfile(deps, profileId);
    const scheduler = await scheduled.getJobScheduler(`profile-${profileId}`);
    expect(scheduler).toMatchObject({ pattern: '15 4 * * *', tz: 'Europe/Paris' });
    expect(scheduler?.template?.data).toEqual({ profileId });

    // Re-scheduling replaces, never duplicates.
    await models.IntegrationProfile.updateOne({ _id: profileId }, { $set: { 'schedule.cron': '0 5 * * *' } });
    await scheduleProfile(deps, profileId);
    const all = (await scheduled.getJobSchedulers()).filter((s) => s.key === `profile-${profileId}`);
    expect(all).toHaveLength(1);
    expect(all[0]?.pattern).toBe('0 5 * * *');

    await unscheduleProfile(deps, profileId);
    expect(await scheduled.getJobScheduler(`profile-${profileId}`)).toBeUndefined();
  });

  it('when a schedule is not a valid cron, then scheduling fails with SCHEDULE_INVALID', async () => {
    const profileId = await newProfile({ schedule: { cron: 'every day', timezone: 'UTC' } });
    await expect(scheduleProfile(deps, profileId)).rejects.toMatchObject({ code: 'SCHEDULE_INVALID' });
  });
});

describe('purgeProfileJobs', () => {
  it('when a profile is purged, then its scheduler and queued jobs are gone, its JobRuns cancelled, and other profiles untouched', async () => {
    const doomed = await newProfile();
    const kept = await newProfile();
    await scheduleProfile(deps, doomed);
    const doomedRun = await startRun(deps, { profileId: doomed, trigger: 'manual', requestedBy: 'ops' });
    const keptRun = await startRun(deps, { profileId: kept, trigger: 'manual', requestedBy: 'ops' });

    await purgeProfileJobs(deps, doomed);

    expect(await queue(QUEUE_NAMES.scheduledRun).getJobScheduler(`profile-${doomed}`)).toBeUndefined();
    for (const name of Object.values(QUEUE_NAMES)) {
      const jobs = await queue(name).getJobs(['waiting', 'waiting-children', 'delayed']);
      expect(jobs.filter((j) => (j.data as { profileId?: string }).profileId === doomed)).toEqual([]);
    }
    const statuses = (await models.JobRun.find({ runId: doomedRun.runId }).lean()).map((r) => r.status);
    expect(new Set(statuses)).toEqual(new Set(['cancelled']));
    expect((await models.IntegrationProfile.findById(doomed).lean())?.currentRunId).toBeNull();
    expect(await queue(QUEUE_NAMES.reclaim).getJob(`${keptRun.runId}-reclaim`)).toBeDefined();
  });
});
