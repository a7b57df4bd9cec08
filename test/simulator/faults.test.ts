import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, form, RestClient, startTestSimulator } from './simulatorTestClient.js';

describe('fault injection and latency', () => {
  let sim: RunningSimulator;
  let client: RestClient;
  const limits = () => client.json<SalesforceErrorBody>('/limits');
  const addFault = (body: unknown) =>
    fetch(`${sim.url}/__admin/orgs/${client.org.orgId}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 2500, seed: 4 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterEach(() => {
    sim.admin.clearFaults();
    sim.admin.setLatency(client.org.orgId, { perCallMs: 0, perRecordMs: 0 });
  });
  afterAll(() => sim.stop());

  it('when two 503s are injected over HTTP, then two calls fail with SERVER_UNAVAILABLE and the third succeeds', async () => {
    const created = await addFault({ kind: 'serverError', status: 503, count: 2 });
    expect(created.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await limits());
    expect(statuses.map((s) => s.status)).toEqual([503, 503, 200]);
    expect(statuses[0]?.body[0]?.errorCode).toBe('SERVER_UNAVAILABLE');
  });

  it('when a 500 is injected, then the body is UNKNOWN_EXCEPTION and the call is not counted', async () => {
    sim.admin.addFault({ kind: 'serverError', status: 500, count: 1, orgId: client.org.orgId });
    const before = sim.admin.apiUsage(client.org.orgId).used;
    const { status, body } = await limits();
    expect([status, body[0]?.errorCode]).toEqual([500, 'UNKNOWN_EXCEPTION']);
    expect(sim.admin.apiUsage(client.org.orgId).used).toBe(before);
  });

  it('when 401s are injected, then calls fail with INVALID_SESSION_ID until they are used up', async () => {
    sim.admin.addFault({ kind: 'invalidSession', count: 2, orgId: client.org.orgId });
    const results = [await limits(), await limits(), await limits()];
    expect(results.map((r) => r.status)).toEqual([401, 401, 200]);
    expect(results[0]?.body).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
  });

  it('when REQUEST_LIMIT_EXCEEDED is injected until a time, then calls fail until that time passes', async () => {
    sim.admin.addFault({ kind: 'requestLimit', until: Date.now() + 60_000, orgId: client.org.orgId });
    expect((await limits()).body[0]?.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect((await limits()).status).toBe(403);
    sim.admin.advanceClock(60_001);
    expect((await limits()).status).toBe(200);
  });

  it('when a hang of N ms is injected, then the answer comes after N ms', async () => {
    sim.admin.addFault({ kind: 'timeout', hangMs: 250, count: 1, orgId: client.org.orgId });
    const started = Date.now();
    expect((await limits()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('when a hang forever is injected, then the client times out and the server keeps answering others', async () => {
    sim.admin.addFault({ kind: 'timeout', count: 1, orgId: client.org.orgId });
    await expect(client.request('/limits', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await limits()).status).toBe(200);
    await expect
      .poll(() => sim.callLog.entries({ orgId: client.org.orgId }).some((e) => e.aborted))
      .toBe(true);
    expect(sim.admin.apiUsage(client.org.orgId).inFlight).toBe(0);
  });

  it('when a fault targets a path and method, then other requests are untouched', async () => {
    sim.admin.addFault({
      kind: 'serverError',
      status: 502,
      path: '/jobs/query',
      method: 'POST',
      orgId: client.org.orgId,
    });
    const job = await client.json<SalesforceErrorBody>('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM User' }),
    });
    expect(job.status).toBe(502);
    expect((await client.json('/jobs/query')).status).toBe(200);
    expect((await client.query('SELECT Id FROM User LIMIT 1')).status).toBe(200);
  });

  it('when the org is made slow, then calls take the extra latency', async () => {
    sim.admin.addFault({ kind: 'slow', extraMs: 200, orgId: client.org.orgId });
    const started = Date.now();
    await limits();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('when a per-record latency is set, then a 2000-record page takes proportionally longer', async () => {
    sim.admin.setLatency(client.org.orgId, { perCallMs: 20, perRecordMs: 0.1 });
    const started = Date.now();
    const { body } = await client.query('SELECT Id FROM User');
    expect(body.records).toHaveLength(2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(215);
  });

  it('when the token endpoint is targeted, then token requests fail and REST calls do not', async () => {
    sim.admin.addFault({
      kind: 'serverError',
      status: 503,
      count: 1,
      path: '/services/oauth2/token',
      orgId: client.org.orgId,
    });
    const org = client.org;
    const body = {
      grant_type: 'client_credentials',
      client_id: org.clientId,
      client_secret: org.clientSecret,
    };
    const failed = await fetch(`${org.instanceUrl}/services/oauth2/token`, form(body));
    expect(failed.status).toBe(503);
    expect((await fetch(`${org.instanceUrl}/services/oauth2/token`, form(body))).status).toBe(200);
  });

  it('when faults are listed and cleared over HTTP, then they stop applying', async () => {
    await addFault({ kind: 'serverError' });
    const listed = (await (await fetch(`${sim.url}/__admin/faults?org=${client.org.orgId}`)).json()) as {
      kind: string;
    }[];
    expect(listed.map((f) => f.kind)).toEqual(['serverError']);
    expect((await limits()).status).toBe(503);
    expect(
      (await fetch(`${sim.url}/__admin/orgs/${client.org.orgId}/faults`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await limits()).status).toBe(200);
  });

  it('when a fault spec is invalid or names an unknown org, then the admin API refuses it', async () => {
    expect((await addFault({ kind: 'meteorStrike' })).status).toBe(400);
    const unknown = await fetch(`${sim.url}/__admin/orgs/00D000000000000AAA/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'serverError' }),
    });
    expect(unknown.status).toBe(404);
  });

  it('when token TTL and access tokens are controlled over HTTP, then sessions end as asked', async () => {
    const expire = await fetch(`${sim.url}/__admin/orgs/${client.org.orgId}/expire-access-tokens`, {
      method: 'POST',
    });
    expect(((await expire.json()) as { expired: number }).expired).toBeGreaterThan(0);
    expect((await limits()).status).toBe(401);
    client.token = (await RestClient.connect(client.org)).token;
    const ttl = await fetch(`${sim.url}/__admin/token-ttl`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 0 }),
    });
    expect(ttl.status).toBe(204);
    expect((await limits()).status).toBe(401);
    sim.admin.setAccessTokenTtl(7200);
    client.token = (await RestClient.connect(client.org)).token;
    expect((await limits()).status).toBe(200);
  });
});
