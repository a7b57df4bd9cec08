import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo, UserState } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { clientCredentials, clientsFor, drain, RecordingTokenStore } from './clientHarness.js';

describe('Salesforce client writes', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;
  let userIds: string[];
  const taken = new Set<string>();

  /** Users no other test here has written to, as the simulator holds them now. */
  const freshUsers = (): UserState[] =>
    userIds.filter((id) => !taken.has(id)).flatMap((id) => sim.admin.user(org.orgId, id) ?? []);
  const take = <T extends { id: string }>(users: T[]): T[] => {
    for (const u of users) taken.add(u.id);
    return users;
  };

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users: 2500, seed: 5 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
    redis = await openTestRedis('sfwrites');
    clients = clientsFor(redis);
    const { records } = await drain(
      clients
        .forOrg(clientCredentials(org), new RecordingTokenStore())
        .query('SELECT Id FROM User ORDER BY Id', z.object({ Id: z.string() })),
    );
    userIds = records.map((r) => r.Id);
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
    const blocked = truth.deactivationBlockers.filter((b) => !b.blockers.includes('siteGuestUser'));
    const refused = new Set([...blocked.map((b) => b.userId), truth.adminUserId]);
    expect(refused.size).toBeGreaterThan(truth.defaultOwnerUserIds.length + 1);
    const others = records.map((r) => r.Id).filter((id) => !refused.has(id));
    // Refused users spread through the batches, last one in the third batch.
    const ids = [...others.slice(0, 450 - refused.size), ...refused];
    expect(ids).toHaveLength(450);
    for (const id of ids) taken.add(id);
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
    const holders = take(
      freshUsers()
        .filter((u) => u.permissionSetLicenseAssignments.some((a) => !a.inUse))
        .slice(0, 5),
    );
    const ids = holders.map((u) => u.permissionSetLicenseAssignments.find((a) => !a.inUse)?.id ?? '');
    expect(ids.length).toBeGreaterThan(0);
    const before = sim.admin.truth(org.orgId).permissionSetLicenseAssignments;
    const outcomes = await client.delete([...ids, ids[0] ?? '']);
    expect(outcomes.slice(0, ids.length).every((o) => o.success)).toBe(true);
    expect(outcomes.at(-1)?.success).toBe(false);
    expect(sim.admin.truth(org.orgId).permissionSetLicenseAssignments).toBe(before - ids.length);
  });

  it('when ids of three object types are deleted together, then one call per type goes out (≤ 200 ids each) and outcomes come back in input order', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const fresh = freshUsers();
    const withPackages = take(fresh.filter((u) => u.packageLicenseAssignments.length > 0).slice(0, 200));
    const packages = withPackages.flatMap((u) => u.packageLicenseAssignments.map((a) => a.id)).slice(0, 210);
    const licenses = take(
      fresh
        .filter((u) => !taken.has(u.id) && u.permissionSetLicenseAssignments.some((a) => !a.inUse))
        .slice(0, 3),
    ).map((u) => u.permissionSetLicenseAssignments.find((a) => !a.inUse)?.id);
    const sets = take(
      fresh
        .filter(
          (u) => !taken.has(u.id) && u.permissionSetAssignments.some((a) => a.requiredLicenseId === null),
        )
        .slice(0, 3),
    ).map((u) => u.permissionSetAssignments.find((a) => a.requiredLicenseId === null)?.id);
    expect([packages.length, licenses.length, sets.length]).toEqual([210, 3, 3]);
    const ids = [
      licenses[0],
      ...packages.slice(0, 100),
      sets[0],
      licenses[1],
      ...packages.slice(100),
      sets[1],
      licenses[2],
      sets[2],
    ].map(String);
    const before = sim.admin.truth(org.orgId);
    sim.callLog.reset();

    const outcomes = await client.delete(ids);

    const calls = sim.callLog.entries({ orgId: org.orgId, method: 'DELETE' });
    expect(calls).toHaveLength(4);
    expect(outcomes.map((o) => o.id)).toEqual(ids);
    expect(outcomes.filter((o) => !o.success)).toEqual([]);
    const after = sim.admin.truth(org.orgId);
    expect([
      after.packageLicenseAssignments,
      after.permissionSetLicenseAssignments,
      after.permissionSetAssignments,
    ]).toEqual([
      before.packageLicenseAssignments - 210,
      before.permissionSetLicenseAssignments - 3,
      before.permissionSetAssignments - 3,
    ]);
  });

  it('when 205 permission set assignments are created, then two calls carry them and each outcome has its new id or its refusal, in input order', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const reportBuilder = sim.admin.truth(org.orgId).permissionSets.find((s) => s.name === 'Report_Builder');
    if (!reportBuilder) throw new Error('no Report_Builder set');
    const holds = (u: UserState): boolean =>
      u.permissionSetAssignments.some((a) => a.permissionSetId === reportBuilder.id);
    const fresh = freshUsers();
    const lacking = take(fresh.filter((u) => u.licenseDefinitionKey === 'SFDC' && !holds(u)).slice(0, 204));
    const [holder] = take(fresh.filter(holds).slice(0, 1));
    if (!holder) throw new Error('nobody holds Report_Builder');
    const assignees = [...lacking.slice(0, 100), holder, ...lacking.slice(100)];
    expect(assignees).toHaveLength(205);
    const before = sim.admin.truth(org.orgId).permissionSetAssignments;
    sim.callLog.reset();

    const outcomes = await client.create(
      'PermissionSetAssignment',
      assignees.map((u) => ({ AssigneeId: u.id, PermissionSetId: reportBuilder.id })),
    );

    expect(sim.callLog.count({ orgId: org.orgId, method: 'POST', pathIncludes: '/composite/sobjects' })).toBe(
      2,
    );
    expect(outcomes).toHaveLength(205);
    expect(outcomes[100]).toEqual({
      id: '',
      success: false,
      errors: [
        {
          statusCode: 'DUPLICATE_VALUE',
          message: `Duplicate PermissionSetAssignment. Assignee: ${holder.id}; Permission Set: ${reportBuilder.id}`,
          fields: [],
        },
      ],
    });
    const created = outcomes.filter((_, i) => i !== 100);
    expect(created.every((o) => o.success && /^0Pa[0-9A-Za-z]{15}$/.test(o.id))).toBe(true);
    expect(new Set(created.map((o) => o.id)).size).toBe(204);
    expect(sim.admin.truth(org.orgId).permissionSetAssignments).toBe(before + 204);
    const last = sim.admin.user(org.orgId, assignees[204]?.id ?? '');
    expect(last?.permissionSetAssignments.map((a) => a.id)).toContain(outcomes[204]?.id);
  });
});
