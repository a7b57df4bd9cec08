import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { RestClient, startTestSimulator } from './simulatorTestClient.js';

describe('API limits', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let slow: SimulatorOrgInfo;
  let developer: SimulatorOrgInfo;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({
      orgs: [
        { users: 500, seed: 2 },
        { users: 20, maxConcurrent: 3, latency: { perCallMs: 300, perRecordMs: 0 } },
        { users: 10, edition: 'Developer' },
      ],
    });
    [org, slow, developer] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo, SimulatorOrgInfo];
    client = await RestClient.connect(org);
  });
  afterAll(() => sim.stop());

  it('when API calls are made, then each carries Sforce-Limit-Info and counts once', async () => {
    const start = sim.admin.apiUsage(org.orgId).used;
    const first = await client.query('SELECT Id FROM User LIMIT 1');
    const second = await client.json<unknown>('/sobjects/User/describe');
    const max = sim.admin.apiUsage(org.orgId).max;
    expect(first.headers.get('sforce-limit-info')).toBe(`api-usage=${start + 1}/${max}`);
    expect(second.headers.get('sforce-limit-info')).toBe(`api-usage=${start + 2}/${max}`);
    const failed = await client.query('SELECT Nope FROM User');
    expect(failed.headers.get('sforce-limit-info')).toBe(`api-usage=${start + 3}/${max}`);
  });

  it('when /limits is read, then DailyApiRequests agrees with the header', async () => {
    const { body, headers } =
      await client.json<Record<string, { Max: number; Remaining: number }>>('/limits');
    const [used, max] = (headers.get('sforce-limit-info') ?? '')
      .replace('api-usage=', '')
      .split('/')
      .map(Number);
    expect(body.DailyApiRequests).toEqual({ Max: max, Remaining: (max ?? 0) - (used ?? 0) });
    expect(body.DataStorageMB?.Max).toBeGreaterThan(0);
    expect(body.FileStorageMB?.Remaining).toBeGreaterThan(0);
  });

  it('when the edition is Enterprise or Developer, then the default allowance follows Salesforce’s formula', async () => {
    const truth = sim.admin.truth(org.orgId);
    const full = truth.licenses.filter(
      (l) => l.licenseDefinitionKey === 'SFDC' || l.licenseDefinitionKey === 'AUL',
    );
    expect(sim.admin.apiUsage(org.orgId).max).toBe(
      100_000 + 1_000 * full.reduce((sum, l) => sum + l.totalLicenses, 0),
    );
    expect(sim.admin.apiUsage(developer.orgId)).toMatchObject({ max: 15_000, maxConcurrent: 5 });
  });

  it('when the allowance runs out, then calls get 403 REQUEST_LIMIT_EXCEEDED and are not counted', async () => {
    const set = await fetch(`${sim.url}/__admin/orgs/${org.orgId}/api-usage`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ used: 99_990, max: 100_000 }),
    });
    expect(set.status).toBe(200);
    for (let i = 0; i < 10; i += 1)
      expect((await client.query('SELECT Id FROM User LIMIT 1')).status).toBe(200);
    const refused = await client.json<SalesforceErrorBody>('/limits');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=100000/100000');
    expect(sim.callLog.entries({ orgId: org.orgId }).at(-1)).toMatchObject({ status: 403, counted: false });
    sim.admin.resetApiUsage(org.orgId);
    expect((await client.query('SELECT Id FROM User LIMIT 1')).status).toBe(200);
  });

  it('when more requests are in flight than the org allows, then the extra ones get ConcurrentPerOrgLongTxn', async () => {
    const slowClient = await RestClient.connect(slow);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => slowClient.json<SalesforceErrorBody>('/limits')),
    );
    const refused = responses.filter((r) => r.status === 403);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(3);
    expect(refused).toHaveLength(3);
    expect(refused[0]?.body).toEqual([
      { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect((await slowClient.json('/limits')).status).toBe(200);
  });

  it('when the call log is read, then it counts exactly the calls made, in process and over HTTP', async () => {
    sim.callLog.reset();
    await client.query('SELECT Id FROM User LIMIT 1');
    await client.query('SELECT Id FROM User LIMIT 2');
    await fetch(`${org.instanceUrl}/services/data/v62.0/limits`);
    expect(sim.callLog.count({ orgId: org.orgId, counted: true })).toBe(2);
    expect(sim.callLog.count({ orgId: org.orgId })).toBe(3);
    const response = await fetch(`${sim.url}/__admin/calls?org=${org.orgId}&counted=true`);
    const entries = (await response.json()) as {
      method: string;
      path: string;
      status: number;
      durationMs: number;
    }[];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      method: 'GET',
      path: '/services/data/v62.0/query',
      status: 200,
    });
    expect((await fetch(`${sim.url}/__admin/calls`, { method: 'DELETE' })).status).toBe(204);
    expect(sim.callLog.count()).toBe(0);
  });
});
