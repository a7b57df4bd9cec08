import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, drain, RecordingTokenStore } from './clientHarness.js';

describe('Salesforce client writes', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users: 900, seed: 5 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
    redis = await openTestRedis('sfwrites');
    clients = clientsFor(redis);
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  it('when 450 users are deactivated, then three calls of ≤ 200 report each refusal in input order', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const truth = sim.admin.truth(org.orgId);
    const { records } = await drain(
      client.query(
        "SELECT Id FROM User WHERE IsActive = true AND UserType != 'Guest'",
        z.object({ Id: z.string() }),
      ),
    );
    const refused = new Set([...truth.defaultOwnerUserIds, truth.adminUserId]);
    const others = records.map((r) => r.Id).filter((id) => !refused.has(id));
    // Refused users spread through the batches, last one in the third batch.
    const ids = [...others.slice(0, 450 - refused.size), ...refused];
    expect(ids).toHaveLength(450);
    sim.callLog.reset();

    const outcomes = await client.update(
      'User',
      ids.map((id) => ({ id, fields: { IsActive: false } })),
    );

    expect(
      sim.callLog.count({ orgId: org.orgId, method: 'PATCH', pathIncludes: '/composite/sobjects' }),
    ).toBe(3);
    expect(outcomes.map((o) => o.id)).toEqual(ids);
    const failed = outcomes.filter((o) => !o.success);
    expect(new Set(failed.map((o) => o.id))).toEqual(refused);
    expect(failed.every((o) => o.errors[0]?.statusCode === 'FIELD_INTEGRITY_EXCEPTION')).toBe(true);
    expect(sim.admin.user(org.orgId, others[0] ?? '')?.isActive).toBe(false);
    expect(sim.admin.user(org.orgId, truth.adminUserId)?.isActive).toBe(true);
  });

  it('when license assignments are deleted, then each outcome is reported and the seats are freed', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const { records } = await drain(
      client.query('SELECT Id FROM PermissionSetLicenseAssign', z.object({ Id: z.string() })),
    );
    const ids = records.slice(0, 5).map((r) => r.Id);
    expect(ids.length).toBeGreaterThan(0);
    const before = sim.admin.truth(org.orgId).permissionSetLicenseAssignments;
    const outcomes = await client.delete([...ids, ids[0] ?? '']);
    expect(outcomes.slice(0, ids.length).every((o) => o.success)).toBe(true);
    expect(outcomes.at(-1)?.success).toBe(false);
    expect(sim.admin.truth(org.orgId).permissionSetLicenseAssignments).toBe(before - ids.length);
  });
});
