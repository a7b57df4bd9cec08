import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, RecordingTokenStore } from './clientHarness.js';

describe('Salesforce API budget', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users: 50, seed: 9 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
    redis = await openTestRedis('sfbudget');
    clients = clientsFor(redis, { budgetShare: 0.5, orgConcurrency: 4 });
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  it('when six workers share an org with a 1,000-call allowance and a 50% share, then exactly 500 calls are made', async () => {
    sim.admin.setApiUsage(org.orgId, { used: 0, max: 1_000 });
    const refusals: SalesforceError[] = [];
    // Separate clients, as separate jobs would hold, all racing for the same budget.
    const worker = async (): Promise<void> => {
      const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
      for (;;) {
        try {
          await client.count('SELECT COUNT() FROM User');
        } catch (error) {
          if (error instanceof SalesforceError && error.errorCode === 'API_BUDGET_EXHAUSTED') {
            refusals.push(error);
            return;
          }
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, () => worker()));

    expect(sim.admin.apiUsage(org.orgId).used).toBe(500);
    expect(refusals).toHaveLength(6);
    const [first] = refusals;
    expect(first?.kind).toBe('paused');
    expect(first?.message).toMatch(/budget/);
    expect(first?.message).toMatch(/24 h/);
    expect(first?.retryAt?.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);

    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    expect(await client.apiUsage()).toMatchObject({ used: 500, max: 1_000 });
  });
});
