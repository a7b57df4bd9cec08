/**
 * The worker cluster end to end: real `worker/main.ts` processes sharing one Redis and one
 * database, syncing simulator orgs, surviving a SIGKILL in the middle of the work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSubscriptionRows, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { startRun } from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { expectSubscriptionsMatchTruth, type TruthRow } from '../helpers/orgTruthAssertions.js';
import { startWorkerProcesses, type WorkerFleet } from '../helpers/workerProcesses.js';
import {
  openWorkerHarness,
  seedOrgProfile,
  waitFor,
  waitForRunToEnd,
  type WorkerHarness,
} from './workerHarness.js';

const BIG_USERS = 25_000;
const SMALL_USERS = 500;

let sim: RunningSimulator;
let h: WorkerHarness;
let fleet: WorkerFleet;
beforeAll(async () => {
  sim = await startSimulator({
    quiet: true,
    orgs: [
      { users: BIG_USERS, seed: 61 },
      { users: SMALL_USERS, seed: 62 },
      { users: SMALL_USERS, seed: 63 },
    ],
  });
  // A short breaker reset: an org back from an outage is tried again within seconds.
  h = await openWorkerHarness('scaleout', { WORKER_CONCURRENCY: '4', SF_BREAKER_RESET_MS: '2000' });
  fleet = await startWorkerProcesses(2, h.env);
}, 90_000);

afterAll(async () => {
  await fleet?.killAll();
  await h?.close();
  await sim?.stop();
});

async function currentRows(profileId: string): Promise<TruthRow[]> {
  const profile = await h.models.IntegrationProfile.findById(profileId, { activeSyncId: 1 }).lean();
  return allSubscriptionRows(snapshotOf(h.models, profileId, profile?.activeSyncId ?? ''));
}

describe('two worker processes', () => {
  it('when one org has an outage, then its run is paused (delayed, not failed) while another org’s run finishes, and it completes once the org is back', async () => {
    const [, healthy, down] = sim.orgs as [(typeof sim.orgs)[0], (typeof sim.orgs)[0], (typeof sim.orgs)[0]];
    const downProfile = await seedOrgProfile(h, down, { status: 'published' });
    const healthyProfile = await seedOrgProfile(h, healthy, { status: 'published' });
    sim.admin.addFault({ kind: 'serverError', orgId: down.orgId, status: 503 });
    const downRun = await startRun(h.pipeline, {
      profileId: downProfile,
      trigger: 'manual',
      requestedBy: 'test',
    });
    const healthyRun = await startRun(h.pipeline, {
      profileId: healthyProfile,
      trigger: 'manual',
      requestedBy: 'test',
    });

    const paused = await waitFor(
      'the org to be paused',
      async () => {
        const row = await h.models.JobRun.findById(`${downRun.runId}|downloadSubscriptions`).lean();
        return row?.status === 'delayed' && row.error?.code?.startsWith('SALESFORCE_PAUSED') ? row : null;
      },
      60_000,
      100,
    );
    expect(paused.result).toMatchObject({ pausedUntil: expect.any(String) });
    await waitForRunToEnd(h, healthyProfile, 120_000).catch(async (error: unknown) => {
      const rows = await h.models.JobRun.find({ runId: healthyRun.runId }).lean();
      throw new Error(`${String(error)}: ${JSON.stringify(rows.map((r) => [r.jobName, r.status, r.error]))}`);
    });
    expect((await h.models.JobRun.findById(`${healthyRun.runId}|downloadSubscriptions`).lean())?.status).toBe(
      'succeeded',
    );
    expect((await h.models.IntegrationProfile.findById(downProfile).lean())?.currentRunId).toBe(
      downRun.runId,
    );

    sim.admin.clearFaults(down.orgId);
    await waitForRunToEnd(h, downProfile, 90_000);
    const resumed = await h.models.JobRun.findById(`${downRun.runId}|downloadSubscriptions`).lean();
    expect(resumed?.status).toBe('succeeded');
    expectSubscriptionsMatchTruth(await currentRows(downProfile), sim.admin.truth(down.orgId));
  }, 180_000);

  it('when a 25,000-user and a 500-user org are synced and the worker downloading the big one is SIGKILLed mid-download, then both runs finish with exactly the org’s truth', async () => {
    const started = Date.now();
    const [big, small] = sim.orgs as [(typeof sim.orgs)[0], (typeof sim.orgs)[0]];
    const bigProfile = await seedOrgProfile(h, big, { status: 'published' });
    const smallProfile = await seedOrgProfile(h, small, { status: 'published' });
    const bigRun = await startRun(h.pipeline, {
      profileId: bigProfile,
      trigger: 'publish',
      requestedBy: 'test',
    });
    const smallRun = await startRun(h.pipeline, {
      profileId: smallProfile,
      trigger: 'publish',
      requestedBy: 'test',
    });

    // Mid-download: the big org's job is active and has written some of its users, so the
    // attempt after the kill must resume a half-written snapshot.
    const downloads = h.queue(QUEUE_NAMES.downloadSubscriptions);
    const holder = await waitFor(
      'the big download to have written some users',
      async () => {
        const job = await downloads.getJob(`${bigRun.runId}-downloadSubscriptions`);
        if (!job || (await job.getState()) !== 'active' || !job.processedBy) return null;
        const progress = job.progress as { phase?: string; done?: number };
        return progress.phase === 'users' && (progress.done ?? 0) > 0 ? job.processedBy : null;
      },
      60_000,
      50,
    );
    const victim = fleet.workers.find((w) => holder.endsWith(`-${w.child.pid}`));
    expect(victim, `a worker with pid in ${holder}`).toBeDefined();
    await victim!.kill();
    const killedAt = Date.now();
    await fleet.add();

    await waitForRunToEnd(h, smallProfile, 120_000);
    // A SIGKILLed worker's lock must expire (15 s) and the stalled check see it (every 10 s); then
    // the download resumes on the loaded machine.
    await waitForRunToEnd(h, bigProfile, 240_000);
    const recoveredAfter = Date.now() - killedAt;

    const download = await h.models.JobRun.findById(`${bigRun.runId}|downloadSubscriptions`).lean();
    expect(download?.status).toBe('succeeded');
    expect((await h.models.JobRun.findById(`${smallRun.runId}|downloadSubscriptions`).lean())?.status).toBe(
      'succeeded',
    );
    expectSubscriptionsMatchTruth(await currentRows(smallProfile), sim.admin.truth(small.orgId));
    expectSubscriptionsMatchTruth(await currentRows(bigProfile), sim.admin.truth(big.orgId));
    console.log(
      `[scaleOut] 25k+500 sync with a SIGKILL: ${Date.now() - started} ms total, recovered ${recoveredAfter} ms after the kill`,
    );
  }, 390_000);
});
