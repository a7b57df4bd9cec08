/**
 * Reclaim across two real worker processes, one of them SIGKILLed while it holds a slice of the
 * reclaim: the run still completes, exactly the approved users are deactivated, nobody twice.
 * A mid-sized org (its own file, a fresh fleet) so the kill lands in the reclaim, not the download.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { startRun } from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { startWorkerProcesses, type WorkerFleet } from '../helpers/workerProcesses.js';
import {
  openWorkerHarness,
  seedOrgProfile,
  waitFor,
  waitForRunToEnd,
  type WorkerHarness,
} from './workerHarness.js';

const USERS = 3_000;
const FAN_OUT = 200;
const APPROVE = 700;

let sim: RunningSimulator;
let h: WorkerHarness;
let fleet: WorkerFleet;

beforeAll(async () => {
  sim = await startSimulator({ quiet: true, orgs: [{ users: USERS, seed: 64 }] });
  h = await openWorkerHarness('reclaimkill', {
    WORKER_CONCURRENCY: '4',
    RECLAIM_FAN_OUT_SIZE: String(FAN_OUT),
  });
  fleet = await startWorkerProcesses(2, h.env);
}, 90_000);

afterAll(async () => {
  await fleet?.killAll();
  await h?.close();
  await sim?.stop();
});

const patchCalls = (orgId: string) =>
  sim.callLog.count({ orgId, method: 'PATCH', pathIncludes: '/composite/sobjects' });

it('when approved candidates are reclaimed in slices across two workers and the worker holding a slice is SIGKILLed, then exactly the approved users are deactivated, once, and excluded or unapproved users are untouched', async () => {
  const org = sim.orgs[0]!;
  const profileId = await seedOrgProfile(h, org, { status: 'published' });
  const first = await startRun(h.pipeline, { profileId, trigger: 'publish', requestedBy: 'test' });
  await waitForRunToEnd(h, profileId, 120_000);
  expect((await h.models.JobRun.findById(`${first.runId}|computeCandidates`).lean())?.status).toBe(
    'succeeded',
  );

  const pending = await candidatesOf(h.models, profileId)
    .find({ profileId, status: 'pending', action: 'deactivate_user' }, { _id: 1, userId: 1 })
    .sort({ _id: 1 })
    .limit(APPROVE)
    .lean();
  expect(pending.length).toBeGreaterThan(2 * FAN_OUT); // more than one slice, so it fans out
  const wasActive = (userId: string) => sim.admin.user(org.orgId, userId)?.isActive === true;
  const excluded = pending
    .filter((c) => wasActive(c.userId))
    .slice(0, 5)
    .map((c) => c.userId);
  const approvedCandidates = pending.filter((c) => !excluded.includes(c.userId));
  const approved = approvedCandidates.map((c) => c.userId);
  const approvedActive = new Set(approved.filter(wasActive));
  const unapprovedActive = (
    await candidatesOf(h.models, profileId).find({ profileId, status: 'pending' }, { userId: 1 }).lean()
  )
    .map((c) => c.userId)
    .filter((u) => !approved.includes(u) && !excluded.includes(u) && wasActive(u));
  await h.models.ExclusionRule.insertMany(
    excluded.map((userId) => ({ profileId, kind: 'user_id', value: userId, createdBy: 'test' })),
  );
  await candidatesOf(h.models, profileId).updateMany(
    { _id: { $in: approvedCandidates.map((c) => c._id) } },
    { $set: { status: 'ready', decidedBy: 'test', decidedAt: new Date() } },
  );
  const before = sim.admin.truth(org.orgId);
  const patchesBefore = patchCalls(org.orgId);
  // Slow Salesforce down so the kill lands while some slices are done and others are not.
  sim.admin.setLatency(org.orgId, { perCallMs: 300 });

  const reclaimQueue = h.queue(QUEUE_NAMES.reclaim);
  const run = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'test' });
  const holder = await waitFor(
    'a reclaim slice to be under way after some users were reclaimed',
    async () => {
      if (patchCalls(org.orgId) === patchesBefore) return null;
      const active = await reclaimQueue.getJobs(['active']);
      const mine = active.find((j) => (j.data as { runId?: string }).runId === run.runId && j.processedBy);
      return mine?.processedBy ?? null;
    },
    150_000,
    50,
  );
  const victim = fleet.workers.find((w) => holder.endsWith(`-${w.child.pid}`));
  expect(victim, `a worker with pid in ${holder}`).toBeDefined();
  await victim!.kill();
  await fleet.add();
  sim.admin.setLatency(org.orgId, { perCallMs: 0 });
  await waitForRunToEnd(h, profileId, 180_000);

  const jobs = Object.fromEntries(
    (await h.models.JobRun.find({ runId: run.runId }).lean()).map((r) => [r.jobName, r.status] as const),
  );
  expect(jobs).toEqual({
    downloadSubscriptions: 'succeeded',
    downloadConsumption: 'succeeded',
    computeCandidates: 'succeeded',
    reclaim: 'succeeded',
  });
  const outcomes = await candidatesOf(h.models, profileId)
    .find({ profileId, userId: { $in: approved }, action: 'deactivate_user' }, { userId: 1, status: 1 })
    .lean();
  expect(outcomes.filter((c) => !['reclaimed', 'failed'].includes(c.status))).toEqual([]);
  const reclaimedActive = new Set(
    outcomes.filter((c) => c.status === 'reclaimed' && approvedActive.has(c.userId)).map((c) => c.userId),
  );
  expect(reclaimedActive.size).toBeGreaterThan(APPROVE / 2);
  for (const userId of reclaimedActive)
    expect(sim.admin.user(org.orgId, userId)?.isActive, userId).toBe(false);
  for (const userId of [...excluded, ...unapprovedActive])
    expect(sim.admin.user(org.orgId, userId)?.isActive, userId).toBe(true);
  // The org lost exactly the approved active users that were reclaimed: nobody else.
  const after = sim.admin.truth(org.orgId);
  expect(before.activeUsers - after.activeUsers).toBe(reclaimedActive.size);
  // Once each: ≤ 200 users per deactivation call, per slice at most one partial call and one
  // freeze call, plus the call in flight when the worker died. Reclaiming anyone twice exceeds it.
  const slices = Math.ceil(approved.length / FAN_OUT);
  expect(patchCalls(org.orgId) - patchesBefore).toBeLessThanOrEqual(
    Math.ceil(approved.length / 200) + 2 * slices + 1,
  );
  const reclaimRun = await h.models.JobRun.findById(`${run.runId}|reclaim`).lean();
  expect(reclaimRun?.result).toMatchObject({ batches: slices });
}, 420_000);
