/**
 * Reclaim across real worker processes, six of them SIGKILLed while they hold slices of a
 * 3,000-candidate reclaim: the run still completes, every approved user is deactivated exactly once
 * (counted per user from the simulator's call log), no candidate is lost and nobody else is touched.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { startRun } from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { startWorkerProcesses, type WorkerFleet } from '../helpers/workerProcesses.js';
import {
  openWorkerHarness,
  seedOrgProfile,
  waitFor,
  waitForRunToEnd,
  type WorkerHarness,
} from './workerHarness.js';

const USERS = 9_000;
const APPROVE = 3_000;
const FAN_OUT = 200;
// Six kills. A victim must hold a slice of this run and no job killed twice already (BullMQ fails a
// job orphaned past its stall limit, a test of something else); each kill orphans up to
// WORKER_CONCURRENCY jobs, so the 15 slices run out of eligible victims after some kills. Once
// each slice read and moved only its own claimed candidates, two clean-clone CI runs stopped at the
// seventh, waiting 240 s for a victim that never came.
const KILLS = 6;

let sim: RunningSimulator;
let h: WorkerHarness;
let fleet: WorkerFleet;

beforeAll(async () => {
  sim = await startSimulator({ quiet: true, orgs: [{ users: USERS, seed: 64 }] });
  h = await openWorkerHarness('reclaimkill', {
    // Two slots a worker: each kill orphans at most two jobs, so fewer jobs reach their second kill
    // and the slices run in more waves. At four, two clean-clone CI runs ran out of victims at the
    // fifth kill once slices no longer stamped a claim first (they finish sooner).
    WORKER_CONCURRENCY: '2',
    RECLAIM_FAN_OUT_SIZE: String(FAN_OUT),
    // A killed worker keeps its org concurrency slot until the lease (timeout + 5 s) runs out; with
    // 20 kills, four leaked slots would starve the survivors past their attempts. Salesforce itself
    // allows 25 long requests per org.
    SF_ORG_CONCURRENCY: '25',
    SF_TIMEOUT_MS: '10000',
  });
  fleet = await startWorkerProcesses(3, h.env);
}, 90_000);

afterAll(async () => {
  await fleet?.killAll();
  await h?.close();
  await sim?.stop();
});

it(`when ${KILLS} workers are SIGKILLed while they hold slices of a ${APPROVE}-candidate reclaim, then every approved user is deactivated exactly once, no candidate is lost and nobody else is touched`, async () => {
  const org = sim.orgs[0]!;
  const profileId = await seedOrgProfile(h, org, { status: 'published' });
  await startRun(h.pipeline, { profileId, trigger: 'publish', requestedBy: 'test' });
  await waitForRunToEnd(h, profileId, 180_000);
  // One write per user: the generated rules deactivate at once, as if so configured before any
  // candidate was computed (no revision bump, so the candidates stay current and can be approved).
  await h.models.ReclamationRule.updateMany({ profileId }, { $set: { deactivateNow: true } });

  // Users Salesforce would refuse to deactivate are left out, so each approved user gets exactly
  // one write; the refusals have tests of their own.
  const blocked = new Set(sim.admin.truth(org.orgId).deactivationBlockers.map((b) => b.userId));
  const pending = (
    await candidatesOf(h.models, profileId)
      .find({ status: 'pending', action: 'deactivate_user' }, { _id: 1, userId: 1 })
      .sort({ _id: 1 })
      .lean()
  ).filter((c) => !blocked.has(c.userId) && c.userId !== org.adminUserId);
  expect(pending.length).toBeGreaterThanOrEqual(APPROVE);
  const chosen = pending.slice(0, APPROVE);
  await approveCandidates(h.models, profileId, { _id: { $in: chosen.map((c) => c._id) } });
  const approved = new Set(chosen.map((c) => c.userId.slice(0, 15)));
  expect(approved.size).toBe(APPROVE);
  const activeBefore = sim.admin.truth(org.orgId).activeUsers;
  expect(sim.callLog.writesPerRecord({ orgId: org.orgId }).size).toBe(0);
  // Slow Salesforce down so the reclaim lasts long enough for every kill to land inside it (a slice
  // is two calls a batch: the re-check and the write).
  sim.admin.setLatency(org.orgId, { perCallMs: 6_000 });

  const reclaimQueue = h.queue(QUEUE_NAMES.reclaim);
  const run = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'test' });
  const killsPerJob = new Map<string, number>();
  let kills = 0;
  while (kills < KILLS) {
    // A worker holding a slice of this run. No job of the run is orphaned past twice, slices or the
    // reclaim job that dispatched them (it may be running on the same worker): BullMQ fails a job
    // orphaned more often than its stall limit, which is a test of something else.
    const victim = await waitFor(
      `a reclaim slice to kill (kill ${kills + 1} of ${KILLS})`,
      async () => {
        const active = (await reclaimQueue.getJobs(['active'])).filter(
          (job) => (job.data as { runId?: string }).runId === run.runId,
        );
        const onWorker = (pid: number) => active.filter((job) => job.processedBy?.endsWith(`-${pid}`));
        for (const job of active) {
          if ((job.data as { batch?: number }).batch === undefined) continue;
          const worker = fleet.workers.find(
            (w) => w.child.exitCode === null && job.processedBy?.endsWith(`-${w.child.pid}`),
          );
          if (!worker) continue;
          const held = onWorker(worker.child.pid ?? -1).map((j) => j.id ?? '');
          if (held.some((id) => (killsPerJob.get(id) ?? 0) >= 2)) continue;
          return { worker, jobIds: held };
        }
        return null;
      },
      240_000,
      50,
    );
    await victim.worker.kill();
    for (const id of victim.jobIds) killsPerJob.set(id, (killsPerJob.get(id) ?? 0) + 1);
    kills += 1;
    await fleet.add();
  }
  sim.admin.setLatency(org.orgId, { perCallMs: 0 });
  await waitForRunToEnd(h, profileId, 300_000);

  expect(kills).toBe(KILLS);
  const jobs = Object.fromEntries(
    (await h.models.JobRun.find({ runId: run.runId }).lean()).map((r) => [r.jobName, r.status] as const),
  );
  const reclaimRun = await h.models.JobRun.findById(`${run.runId}|reclaim`).lean();
  expect(jobs.reclaim, JSON.stringify(reclaimRun?.error ?? null)).toBe('succeeded');
  // Exactly once per approved user, and no other user, from Salesforce's own log.
  const userWrites = sim.callLog.writesPerRecord({
    orgId: org.orgId,
    method: 'PATCH',
    pathIncludes: '/composite/sobjects',
  });
  // The first run reclaimed nothing (no approval yet), so every write in the log is this run's.
  const written = [...userWrites];
  expect(written.filter(([id]) => id.startsWith('060'))).toEqual([]); // no freeze: deactivate-now rules, no blockers
  expect(written.filter(([id]) => !approved.has(id))).toEqual([]);
  expect(written.filter(([, n]) => n !== 1)).toEqual([]);
  expect(written.length).toBe(APPROVE);
  expect(activeBefore - sim.admin.truth(org.orgId).activeUsers).toBe(APPROVE);
  // No candidate lost: every approved one is reclaimed, none is left in flight.
  const outcomes = await candidatesOf(h.models, profileId)
    .find({ _id: { $in: chosen.map((c) => c._id) } }, { status: 1 })
    .lean();
  expect(outcomes.filter((c) => c.status === 'reclaimed')).toHaveLength(APPROVE);
  expect(
    await candidatesOf(h.models, profileId).countDocuments({ status: { $in: ['reclaiming', 'ready'] } }),
  ).toBe(0);
}, 840_000);
