import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceInstrumentation } from '../../shared/salesforce/salesforceClient.js';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, failureOf, RecordingTokenStore } from './clientHarness.js';

const run = promisify(execFile);
const COUNT = 'SELECT COUNT() FROM User';

type BreakerState = 'open' | 'halfOpen' | 'closed';

/** Breaker transitions as the worker's metrics would see them; tests await them instead of sleeping. */
class BreakerEvents implements SalesforceInstrumentation {
  private waiters: { orgId: string; state: BreakerState; resolve: () => void }[] = [];
  seen: { orgId: string; state: BreakerState }[] = [];

  breaker(event: { orgId: string; state: BreakerState }): void {
    this.seen.push(event);
    for (const w of this.waiters.filter((x) => x.orgId === event.orgId && x.state === event.state))
      w.resolve();
    this.waiters = this.waiters.filter((x) => !(x.orgId === event.orgId && x.state === event.state));
  }

  next(orgId: string, state: BreakerState): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ orgId, state, resolve }));
  }
}

describe('Salesforce client breaker and shared pause', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let other: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;
  let events: BreakerEvents;
  let prefix = '';
  let testNumber = 0;

  beforeAll(async () => {
    sim = await startSimulator({
      orgs: [
        { users: 200, seed: 1 },
        { users: 200, seed: 2 },
      ],
      quiet: true,
    });
    [org, other] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo];
    redis = await openTestRedis('sfbreaker');
  });
  beforeEach(async () => {
    sim.admin.clearFaults();
    await clients?.close();
    events = new BreakerEvents();
    // A fresh prefix per test: pauses written by one test must not leak into the next.
    testNumber += 1;
    prefix = `${redis.prefix}:t${testNumber}`;
    clients = clientsFor(redis, { breakerFailures: 3, breakerResetMs: 700 }, events, prefix);
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  const dataCalls = (orgId: string): number => sim.callLog.count({ orgId, area: 'rest' });

  it('when an org answers a storm of 503s, then the breaker opens, no call leaves while open, and one probe goes out half-open', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    await client.connect();
    sim.admin.addFault({ kind: 'serverError', status: 503, orgId: org.orgId });
    const opened = events.next(org.orgId, 'open');
    // One read = 1 try + 2 retries = the 3 failures that open the breaker.
    expect(await failureOf(client.count(COUNT))).toMatchObject({ kind: 'retryable', status: 503 });
    await opened;

    const whileOpen = dataCalls(org.orgId);
    const refusals = await Promise.all(Array.from({ length: 10 }, () => failureOf(client.count(COUNT))));
    expect(refusals.every((e) => (e as { kind?: string }).kind === 'paused')).toBe(true);
    expect((refusals[0] as { retryAt?: Date }).retryAt?.getTime()).toBeGreaterThan(Date.now());
    expect(dataCalls(org.orgId)).toBe(whileOpen);

    // Other orgs are not affected.
    const otherClient = clients.forOrg(clientCredentials(other), new RecordingTokenStore());
    expect(await otherClient.count(COUNT)).toBe(200);

    await events.next(org.orgId, 'halfOpen');
    const reopened = events.next(org.orgId, 'open');
    const probes = await Promise.all(Array.from({ length: 5 }, () => failureOf(client.count(COUNT))));
    await reopened;
    expect(dataCalls(org.orgId)).toBe(whileOpen + 1);
    // The probe's own retry finds the breaker open again: every caller is told to wait.
    expect(probes.every((e) => (e as { kind?: string }).kind === 'paused')).toBe(true);

    sim.admin.clearFaults(org.orgId);
    await events.next(org.orgId, 'halfOpen');
    const closed = events.next(org.orgId, 'closed');
    expect(await client.count(COUNT)).toBe(200);
    await closed;
  });

  it('when a call fails with a permanent error, then it does not count towards opening the breaker', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    for (let i = 0; i < 5; i += 1) {
      expect(await failureOf(client.count('SELECT COUNT() FROM Nope'))).toMatchObject({ kind: 'permanent' });
    }
    expect(await client.count(COUNT)).toBe(200);
    expect(events.seen).toEqual([]);
  });

  it('when Salesforce answers REQUEST_LIMIT_EXCEEDED, then that org alone is paused in another process too', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    await client.connect();
    // Long enough for the second process to start while the pause holds.
    await clients.close();
    clients = clientsFor(redis, { breakerResetMs: 60_000 }, events, prefix);
    const paused = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    sim.admin.addFault({ kind: 'requestLimit', orgId: org.orgId, count: 1 });
    const opened = events.next(org.orgId, 'open');
    expect(await failureOf(paused.count(COUNT))).toMatchObject({
      kind: 'limit',
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
    });
    await opened;
    expect(await failureOf(paused.count(COUNT))).toMatchObject({ kind: 'paused' });

    const before = dataCalls(org.orgId);
    const input = {
      redisUrl: redis.url,
      prefix,
      orgs: [org, other].map((o) => ({ orgId: o.orgId, credentials: clientCredentials(o) })),
    };
    // node --import tsx starts faster than npx tsx; a loaded CI box still needs seconds.
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/salesforce/secondWorkerProcess.ts', JSON.stringify(input)],
      { timeout: 45_000 },
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      [org.orgId]: 'paused',
      [other.orgId]: 'ok',
    });
    expect(dataCalls(org.orgId)).toBe(before);
  }, 60_000);
});
