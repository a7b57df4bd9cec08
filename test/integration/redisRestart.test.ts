/**
 * Redis restarted in the middle of a run, with AOF on (`appendfsync always`) as compose runs it:
 * two real worker processes keep their jobs, and the run completes with the org's exact truth.
 * Redis is a private redis-server on a free port and a temporary directory, stopped with SIGTERM
 * (SHUTDOWN) and started again on the same port and directory.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSubscriptionRows, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import { startRun, type PipelineDeps } from '../../shared/pipeline/runs.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { expectSubscriptionsMatchTruth, type TruthRow } from '../helpers/orgTruthAssertions.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.js';
import { startWorkerProcesses, type WorkerFleet } from '../helpers/workerProcesses.js';
import {
  openWorkerHarness,
  seedOrgProfile,
  waitFor,
  waitForRunToEnd,
  type WorkerHarness,
} from '../worker/workerHarness.js';

let privateRedis: PrivateRedis;
let sim: RunningSimulator;
let h: WorkerHarness;
let fleet: WorkerFleet;
let redis: Redis;
let pipeline: PipelineDeps;

beforeAll(async () => {
  privateRedis = await startPrivateRedis({ appendOnly: true });
  // Slow enough calls that the download is still going when Redis goes down.
  sim = await startSimulator({
    quiet: true,
    orgs: [{ users: 2_000, seed: 71, latency: { perCallMs: 150, perRecordMs: 0.5 } }],
  });
  h = await openWorkerHarness('redisrestart', { REDIS_URL: privateRedis.url, WORKER_CONCURRENCY: '4' });
  redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  pipeline = { redis, prefix: h.redis.prefix, models: h.models };
  fleet = await startWorkerProcesses(2, h.env, { readyTimeoutMs: 90_000 });
}, 240_000);

afterAll(async () => {
  await fleet?.killAll();
  await closeQueueHandles(redis);
  redis?.disconnect();
  await h?.close();
  await sim?.stop();
  await privateRedis?.close();
});

describe('a Redis restart mid-run', () => {
  it('when Redis (AOF on) is restarted while a run downloads, then no job is lost and the run completes with the org’s truth', async () => {
    const org = sim.orgs[0]!;
    const profileId = await seedOrgProfile(h, org, { status: 'published' });
    const { runId } = await startRun(pipeline, { profileId, trigger: 'manual', requestedBy: 'test' });

    await waitFor(
      'the download to be running',
      async () =>
        (await h.models.JobRun.findById(`${runId}|downloadSubscriptions`).lean())?.status === 'running',
      60_000,
      50,
    );
    await privateRedis.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await privateRedis.start();

    await waitForRunToEnd(h, profileId, 120_000).catch(async (error: unknown) => {
      const rows = await h.models.JobRun.find({ runId }).lean();
      throw new Error(`${String(error)}: ${JSON.stringify(rows.map((r) => [r.jobName, r.status, r.error]))}`);
    });
    const rows = await h.models.JobRun.find({ runId }).lean();
    expect(Object.fromEntries(rows.map((r) => [r.jobName, r.status]))).toEqual({
      downloadSubscriptions: 'succeeded',
      downloadConsumption: 'succeeded',
      computeCandidates: 'succeeded',
      reclaim: 'succeeded',
    });
    const profile = await h.models.IntegrationProfile.findById(profileId).lean();
    expect(profile?.lastRunId).toBe(runId);
    const current: TruthRow[] = await allSubscriptionRows(
      snapshotOf(h.models, profileId, profile?.activeSyncId ?? ''),
    );
    expectSubscriptionsMatchTruth(current, sim.admin.truth(org.orgId));
  }, 180_000);
});
