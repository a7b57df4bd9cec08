import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { openWorkerHarness, seedOrgProfile, waitFor, type WorkerHarness } from './workerHarness.js';

let sim: RunningSimulator;
let h: WorkerHarness;
let queue: Queue;

beforeAll(async () => {
  sim = await startSimulator({
    quiet: true,
    orgs: [
      { users: 30 },
      { users: 30, tenantUsageEntitlement: false },
      { users: 30 },
      { users: 30 },
      { users: 30 },
    ],
  });
  // Only the consumption queue runs here: the rest of each run waits, which this file does not need.
  h = await openWorkerHarness('consumption');
  await h.start(['downloadConsumption']);
  queue = new Queue(QUEUE_NAMES.downloadConsumption, { connection: h.redis.redis, prefix: h.redis.prefix });
});

afterAll(async () => {
  await queue.close();
  await h.close();
  await sim.stop();
});

async function consumptionJobRun(runId: string, statuses: string[]) {
  return waitFor(`consumption of ${runId} to be ${statuses.join('/')}`, async () => {
    const row = await h.models.JobRun.findById(`${runId}|downloadConsumption`).lean();
    return row && statuses.includes(row.status) ? row : null;
  });
}

describe('downloadConsumption', () => {
  it('when a run downloads consumption, then /limits and the usage entitlements are stored per metric, once', async () => {
    const org = sim.orgs[0]!;
    const profileId = await seedOrgProfile(h, org);
    const { runId } = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });
    const row = await consumptionJobRun(runId, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');

    const rows = await h.models.Consumption.find({ profileId }).lean();
    const daily = rows.find((r) => r.source === 'limits' && r.metric === 'DailyApiRequests');
    expect(daily?.allowed).toBe(sim.admin.truth(org.orgId).apiUsage.max);
    expect(daily?.used).toBeGreaterThan(0);
    const entitlements = rows.filter((r) => r.source === 'usage_entitlement');
    expect(entitlements.find((r) => r.metric === 'EinsteinRequests')).toMatchObject({
      label: 'Einstein Requests',
      allowed: 100000,
      used: 4312,
    });
    expect(row.result).toMatchObject({ entitlements: 'downloaded', usageEntitlements: entitlements.length });
    expect(row.counts?.apiCalls).toBeGreaterThanOrEqual(2);

    // EndDate is the contract's end; the period is the current monthly window counted from StartDate.
    const day = (d: Date | null | undefined) => d?.toISOString().slice(0, 10);
    const einstein = entitlements.find((r) => r.metric === 'EinsteinRequests')!;
    expect(einstein.frequency).toBe('Monthly');
    const contractStart = einstein.contractStart!;
    const contractEnd = einstein.contractEnd!;
    expect(day(contractEnd)).toBe(
      day(
        new Date(
          Date.UTC(
            contractStart.getUTCFullYear(),
            contractStart.getUTCMonth() + 36,
            contractStart.getUTCDate() - 1,
          ),
        ),
      ),
    );
    const [start, end] = [einstein.periodStart!, einstein.periodEnd!];
    const usageDate = einstein.usageDate!;
    expect(start.getTime()).toBeLessThanOrEqual(usageDate.getTime());
    expect(end.getTime()).toBeGreaterThan(usageDate.getTime());
    expect((end.getTime() - start.getTime()) / 86_400_000).toBeGreaterThanOrEqual(28);
    expect((end.getTime() - start.getTime()) / 86_400_000).toBeLessThanOrEqual(31);
    expect(start.getTime()).toBeGreaterThan(contractStart.getTime());
    expect(einstein.contractEnded).toBe(false);
    const storage = entitlements.find((r) => r.metric === 'AdditionalDataStorage')!;
    expect(storage.frequency).toBe('Once');
    expect(day(storage.periodStart)).toBe(day(storage.contractStart));
    expect(storage.periodEnd!.getTime()).toBe(storage.contractEnd!.getTime() + 86_400_000);

    // A second run rewrites the same rows: no duplicates.
    await h.models.IntegrationProfile.updateOne({ _id: profileId }, { $set: { currentRunId: null } });
    const again = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });
    await consumptionJobRun(again.runId, ['succeeded']);
    const after = await h.models.Consumption.find({ profileId }).lean();
    expect(after).toHaveLength(rows.length);
    expect(new Set(after.map((r) => r.runId))).toEqual(new Set([again.runId]));
  });

  it('when the edition lacks usage-based entitlements, then limits are stored and the job notes the skip', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[1]!);
    const { runId } = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });
    const row = await consumptionJobRun(runId, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');
    expect(row.result).toMatchObject({ entitlements: 'not available in this edition', usageEntitlements: 0 });
    expect(await h.models.Consumption.countDocuments({ profileId, source: 'limits' })).toBeGreaterThan(0);
  });
});

describe('job history of a retried job', () => {
  it('when the first attempt fails and BullMQ retries it, then its JobRun keeps the first start time and counts both attempts', async () => {
    const org = sim.orgs[4]!;
    // The client's own two resends included: three 500s fail the first attempt (the breaker opens at five).
    sim.admin.addFault({ kind: 'serverError', status: 500, orgId: org.orgId, path: '/limits', count: 3 });
    const profileId = await seedOrgProfile(h, org);
    const { runId } = await startRun(h.pipeline, { profileId, trigger: 'manual', requestedBy: 'ops' });

    const delayed = await consumptionJobRun(runId, ['delayed', 'succeeded', 'failed']);
    expect(delayed).toMatchObject({ status: 'delayed', attempts: 1 });
    const firstStart = delayed.startedAt;
    expect(firstStart).toBeInstanceOf(Date);

    const row = await consumptionJobRun(runId, ['succeeded', 'failed']);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    expect(row.startedAt).toEqual(firstStart);
    // The second attempt began after the backoff (2 s): the duration shown covers both.
    const job = await queue.getJob(`${runId}-downloadConsumption`);
    expect(job?.processedOn).toBeGreaterThan(firstStart!.getTime() + 1_000);
    expect(row.finishedAt!.getTime() - firstStart!.getTime()).toBeGreaterThan(1_000);
  });
});

describe('a paused org', () => {
  it('when one org hits REQUEST_LIMIT_EXCEEDED, then its job is delayed (not failed) while another org’s job completes', async () => {
    const limited = sim.orgs[2]!;
    const healthy = sim.orgs[3]!;
    sim.admin.addFault({ kind: 'requestLimit', orgId: limited.orgId });
    const limitedProfile = await seedOrgProfile(h, limited);
    const healthyProfile = await seedOrgProfile(h, healthy);

    const paused = await startRun(h.pipeline, {
      profileId: limitedProfile,
      trigger: 'manual',
      requestedBy: 'ops',
    });
    const flowing = await startRun(h.pipeline, {
      profileId: healthyProfile,
      trigger: 'manual',
      requestedBy: 'ops',
    });

    const pausedRow = await consumptionJobRun(paused.runId, ['delayed', 'failed', 'succeeded']);
    const flowingRow = await consumptionJobRun(flowing.runId, ['succeeded', 'failed']);
    expect(flowingRow.status).toBe('succeeded');
    expect(pausedRow.status).toBe('delayed');
    expect(pausedRow.error?.code).toMatch(/^SALESFORCE_(LIMIT|PAUSED)/);
    expect(pausedRow.result).toMatchObject({ pausedUntil: expect.any(String) });
    const job = await queue.getJob(`${paused.runId}-downloadConsumption`);
    expect(await job?.getState()).toBe('delayed');
    // Pausing spends no attempt: the job will try again in full when the org is back.
    expect(job?.attemptsMade).toBe(0);
    sim.admin.clearFaults(limited.orgId);
  });
});
