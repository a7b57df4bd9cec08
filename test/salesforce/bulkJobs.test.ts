import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { pollsUntil } from '../../shared/salesforce/bulkPollSchedule.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, drain, RecordingTokenStore } from './clientHarness.js';

const idSchema = z.object({ Id: z.string() });
const SOQL = 'SELECT Id FROM User';
const USERS = 2_000;
/** A hundredth of real time on both sides: the simulator's Bulk jobs and the client's polling. */
const SCALE = 0.01;
const POLL = { firstMs: 1_000 * SCALE, maxMs: 15_000 * SCALE };
/** Enough rows for a job to teach the org's pace (`PACE_MIN_ROWS`). */
const PACE_USERS = 20_000;

describe('Salesforce client: Bulk API 2.0 jobs that take long or fail', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let slowOrg: SimulatorOrgInfo;
  let paceOrg: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;

  beforeAll(async () => {
    sim = await startSimulator({
      quiet: true,
      orgs: [
        { users: USERS, seed: 31, bulkTiming: { timeScale: SCALE } },
        // As long as a 1,000,000-user org's users extract: 2 s queued + 30 s PK-chunked.
        { users: USERS, seed: 32, bulkTiming: { timeScale: SCALE, chunkedMsPer100k: 1_500_000 } },
        // 2 s queued + 30 s processing for its users, as the slow org.
        { users: PACE_USERS, seed: 33, bulkTiming: { timeScale: SCALE, chunkedMsPer100k: 150_000 } },
      ],
    });
    [org, slowOrg, paceOrg] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo, SimulatorOrgInfo];
    redis = await openTestRedis('sfbulkjobs');
    clients = clientsFor(redis, { bulkPollFirstMs: POLL.firstMs, bulkPollMaxMs: POLL.maxMs });
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  const jobsCreated = (orgId: string): number =>
    sim.callLog.entries({ orgId, area: 'bulk' }).filter((e) => e.method === 'POST').length;
  const statusCalls = (orgId: string): number =>
    sim.callLog
      .entries({ orgId, area: 'bulk' })
      .filter((e) => e.method === 'GET' && /\/jobs\/query\/[^/]+$/.test(e.path)).length;

  it('when a job takes as long as a 1,000,000-user extract, then the client polls its status only a few times', async () => {
    const client = clients.forOrg(clientCredentials(slowOrg), new RecordingTokenStore());
    const { records } = await drain(client.bulkQuery(SOQL, idSchema));
    expect(records).toHaveLength(USERS);
    const expected = pollsUntil((2_000 + 30_000) * SCALE, POLL).polls;
    expect(expected).toBe(7);
    // One more for the time each call takes on a loaded machine; a fixed 1 s poll would make 32.
    expect(statusCalls(slowOrg.orgId)).toBeLessThanOrEqual(expected + 1);
  });

  it('when the org showed its pace in an earlier job, then the next job’s status is asked once, when it should be done', async () => {
    const client = clients.forOrg(clientCredentials(paceOrg), new RecordingTokenStore());
    const first = await drain(client.bulkQuery(SOQL, idSchema, { expectedRows: PACE_USERS }));
    expect(first.records).toHaveLength(PACE_USERS);
    // Nothing known yet: the schedule's growing pauses. Each pause starts when the previous call
    // returns, so slow calls (a loaded machine) reach the job's end in fewer of them than the
    // schedule alone: the schedule's count is the most it can take, never fewer than three here.
    const unknownPace = statusCalls(paceOrg.orgId);
    const schedule = pollsUntil((2_000 + 30_000) * SCALE, POLL).polls;
    expect(schedule).toBeGreaterThan(3);
    expect(unknownPace).toBeGreaterThanOrEqual(3);
    expect(unknownPace).toBeLessThanOrEqual(schedule);
    const paceKey = `${redis.prefix}:sf:${paceOrg.orgId}:bulkPace`;
    await vi.waitFor(async () => expect(await redis.redis.exists(paceKey)).toBe(1));

    const started = Date.now();
    const second = await drain(client.bulkQuery(SOQL, idSchema, { expectedRows: PACE_USERS }));
    expect(second.records).toHaveLength(PACE_USERS);
    expect(statusCalls(paceOrg.orgId) - unknownPace).toBe(1);
    // Seen done soon after it ended (320 ms at this scale), not ages later (a unit slip would).
    expect(Date.now() - started).toBeLessThan(1_500);

    // Without a row count there is nothing to predict from: the schedule again.
    const before = statusCalls(paceOrg.orgId);
    await drain(client.bulkQuery(SOQL, idSchema));
    expect(statusCalls(paceOrg.orgId) - before).toBeGreaterThan(2);
  });

  it('when a job fails once, then the client runs it again as a new job and every row arrives', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = jobsCreated(org.orgId);
    sim.admin.addFault({ kind: 'bulkJobFailed', orgId: org.orgId, count: 1 });
    const { records } = await drain(client.bulkQuery(SOQL, idSchema));
    expect(jobsCreated(org.orgId) - before).toBe(2);
    expect(new Set(records.map((r) => r.Id)).size).toBe(USERS);
  });

  it('when the new job fails too, then the error names both jobs and what Salesforce said', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = jobsCreated(org.orgId);
    sim.admin.addFault({
      kind: 'bulkJobFailed',
      orgId: org.orgId,
      count: 2,
      message: 'InternalError: disk full',
    });
    const error = await drain(client.bulkQuery(SOQL, idSchema)).catch((e: unknown) => e);
    expect(jobsCreated(org.orgId) - before).toBe(2);
    expect(error).toBeInstanceOf(SalesforceError);
    const failure = error as SalesforceError;
    expect(failure.errorCode).toBe('BULK_JOB_FAILED');
    expect(failure.kind).toBe('permanent');
    const ids = [...failure.message.matchAll(/job (750\w{15})/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(2);
    expect(failure.message.match(/InternalError: disk full/g)).toHaveLength(2);
  });
  it('when two extracts are asked for at once, then Salesforce runs both jobs before the first one is read', async () => {
    const client = clients.forOrg(clientCredentials(slowOrg), new RecordingTokenStore());
    const before = sim.callLog.entries({ orgId: slowOrg.orgId, area: 'bulk' }).length;
    const first = client.bulkQuery(SOQL, idSchema);
    const second = client.bulkQuery(`${SOQL} WHERE IsActive = true`, idSchema);
    const [a, b] = [await drain(first), await drain(second)];
    expect(a.records).toHaveLength(USERS);
    expect(b.records.length).toBeGreaterThan(0);
    const calls = sim.callLog.entries({ orgId: slowOrg.orgId, area: 'bulk' }).slice(before);
    const created = calls.filter((e) => e.method === 'POST').map((e) => e.seq);
    const firstResults = calls.find((e) => e.path.endsWith('/results'))?.seq ?? 0;
    expect(created).toHaveLength(2);
    expect(Math.max(...created)).toBeLessThan(firstResults);
  });

  it('when an extract is read only after its job has had time to finish, then one status call is enough', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = statusCalls(org.orgId);
    const extract = client.bulkQuery(SOQL, idSchema);
    // Queued 20 ms, then about 10 ms of processing at this scale; nothing is asked meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statusCalls(org.orgId) - before).toBe(0);
    const { records } = await drain(extract);
    expect(records).toHaveLength(USERS);
    expect(statusCalls(org.orgId) - before).toBe(1);
  });

  it('when an extract is abandoned before it is read, then its status is never asked and the job is aborted', async () => {
    const client = clients.forOrg(clientCredentials(slowOrg), new RecordingTokenStore());
    const before = sim.callLog.entries({ orgId: slowOrg.orgId, area: 'bulk' }).length;
    const extract = client.bulkQuery(SOQL, idSchema);
    await new Promise((resolve) => setTimeout(resolve, 30));
    extract.abandon();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const calls = sim.callLog.entries({ orgId: slowOrg.orgId, area: 'bulk' }).slice(before);
    expect(calls.filter((e) => e.method === 'PATCH')).toHaveLength(1);
    expect(calls.filter((e) => e.method === 'GET')).toHaveLength(0);
    expect(calls.some((e) => e.path.endsWith('/results'))).toBe(false);
    const settled = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sim.callLog.entries({ orgId: slowOrg.orgId, area: 'bulk' }).slice(before)).toHaveLength(settled);
    const error = await drain(extract).catch((e: unknown) => e);
    expect((error as SalesforceError).errorCode).toBe('BULK_JOB_ABANDONED');
  });
});
