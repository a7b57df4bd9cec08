import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, drain, RecordingTokenStore } from './clientHarness.js';

const idSchema = z.object({ Id: z.string(), Username: z.string() });
const SOQL = 'SELECT Id, Username FROM User';
/** Bulk result bodies are read a page at a time; what the org's callers would notice is below. */
describe('Salesforce client: Bulk results streamed a page at a time', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;
  const users = 3_000;

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users, seed: 23 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
    redis = await openTestRedis('sfbulkstream');
    clients = clientsFor(redis);
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  const resultCalls = (): number =>
    sim.callLog.count({ orgId: org.orgId, area: 'bulk', method: 'GET', pathIncludes: '/results' });
  const slotsHeld = async (): Promise<number> => redis.redis.zcard(`${redis.prefix}:sf:${org.orgId}:slots`);

  it('when the whole result set fits one results call, then it costs one call and arrives in pages', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = resultCalls();
    const { records, pages } = await drain(client.bulkQuery(SOQL, idSchema, { batchSize: 400 }));
    expect(resultCalls() - before).toBe(1);
    expect(pages).toBe(Math.ceil(users / 400));
    expect(records).toHaveLength(sim.admin.truth(org.orgId).users);
    expect(new Set(records.map((r) => r.Id)).size).toBe(records.length);
  });

  it('when a results body is cut off part-way, then the call is repeated and no row is lost or repeated', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = resultCalls();
    // Past the header and a few pages of 250 rows: the repeat must skip what was handed on.
    sim.admin.addFault({
      kind: 'cutBody',
      orgId: org.orgId,
      path: '/results$',
      count: 1,
      afterBytes: 60_000,
    });
    const { records, pages } = await drain(
      client.bulkQuery(SOQL, idSchema, { batchSize: 250, resultRowsPerCall: 2_000 }),
    );
    expect(records).toHaveLength(sim.admin.truth(org.orgId).users);
    expect(new Set(records.map((r) => r.Id)).size).toBe(records.length);
    expect(pages).toBe(8 + 4);
    // Two locators' worth of calls, plus the one repeat.
    expect(resultCalls() - before).toBe(3);
    expect(client.stats().retries).toBe(1);
  });

  it('when the reader stops after the first page, then the body is closed and its slot freed', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const before = resultCalls();
    let seen = 0;
    for await (const page of client.bulkQuery(SOQL, idSchema, { batchSize: 100 })) {
      seen += page.records.length;
      break;
    }
    expect(seen).toBe(100);
    expect(await slotsHeld()).toBe(0);
    await sleep(300);
    expect(resultCalls() - before).toBe(1);
  });

  it('when the reader takes longer than the call timeout between pages, then the call neither times out nor loses its slot', async () => {
    // Leases last timeout + 5 s: a reader holding the body for 6 s outlives the first one.
    const slow = clientsFor(redis, { timeoutMs: 200 });
    try {
      const client = slow.forOrg(clientCredentials(org), new RecordingTokenStore());
      let pages = 0;
      let rows = 0;
      let leaseLeft = 0;
      for await (const page of client.bulkQuery(SOQL, idSchema, { batchSize: 1_000 })) {
        pages += 1;
        rows += page.records.length;
        if (pages === 1) await sleep(400);
        if (pages === 2) {
          await sleep(6_000);
          const [, score] = await redis.redis.zrange(
            `${redis.prefix}:sf:${org.orgId}:slots`,
            0,
            0,
            'WITHSCORES',
          );
          leaseLeft = Number(score) - Date.now();
        }
      }
      expect(rows).toBe(users);
      expect(client.stats().retries).toBe(0);
      expect(leaseLeft).toBeGreaterThan(0);
      expect(await slotsHeld()).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
