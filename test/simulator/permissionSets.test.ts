import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const USERS = 2000;

describe('permission sets and their assignments', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({
      orgs: [
        { users: USERS, seed: 21 },
        { users: USERS, seed: 21 },
      ],
    });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when assignments are queried with PermissionSet.Name and PermissionSet.LicenseId, then each set has the truth’s count and its license', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const { records } = await client.queryAllPages(
      'SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name, PermissionSet.LicenseId FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false',
    );
    expect(records).toHaveLength(truth.permissionSetAssignments);
    const bySet = new Map<string, number>();
    for (const r of records) {
      const set = r.PermissionSet as { Name: string; LicenseId: string | null };
      const expected = truth.permissionSets.find((s) => s.name === set.Name);
      expect([set.Name, set.LicenseId]).toEqual([set.Name, expected?.licenseId]);
      expect(String(r.Id)).toMatch(/^0Pa/);
      bySet.set(set.Name, (bySet.get(set.Name) ?? 0) + 1);
    }
    expect(Object.fromEntries(bySet)).toEqual(
      Object.fromEntries(
        truth.permissionSets.filter((s) => s.assignments > 0).map((s) => [s.name, s.assignments]),
      ),
    );
  });

  it('when the same assignments are read through Bulk API 2.0, then the flattened rows equal the REST ones', async () => {
    const soql =
      "SELECT Id, PermissionSet.Name, PermissionSet.LicenseId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Sales_Console_User'";
    const { body: job } = await client.json<{ id: string }>('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({ operation: 'query', query: soql }),
    });
    for (let state = ''; state !== 'JobComplete';) {
      state = (await client.json<{ state: string }>(`/jobs/query/${job.id}`)).body.state;
    }
    const csv = await (await client.request(`/jobs/query/${job.id}/results`)).text();
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const { records } = await client.queryAllPages(soql);
    expect(rows.map((r) => [r.Id, r['PermissionSet.Name'], r['PermissionSet.LicenseId']])).toEqual(
      records.map((r) => {
        const set = r.PermissionSet as { Name: string; LicenseId: string };
        return [r.Id, set.Name, set.LicenseId];
      }),
    );
    expect(rows.length).toBe(sim.admin.truth(client.org.orgId).permissionSets[0]?.assignments);
  });

  it('when the org is generated, then most license holders hold a set needing their license, some hold none, and users hold plain sets', () => {
    const truth = sim.admin.truth(client.org.orgId);
    const inUse = truth.permissionSetLicenseAssignmentsInUse / truth.permissionSetLicenseAssignments;
    expect(inUse).toBeGreaterThan(0.6);
    expect(inUse).toBeLessThan(0.95);
    const plain = truth.permissionSets.filter((s) => s.requiredLicenseId === null);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((s) => s.assignments > 0)).toBe(true);
    const hidden = truth.permissionSets.filter((s) => s.licenseId === null && s.requiredLicenseId !== null);
    expect(hidden.map((s) => s.name)).toEqual(['Console_Supervisors']);
    const twin = sim.orgs[1];
    if (!twin) throw new Error('second org expected');
    const twinTruth = sim.admin.truth(twin.orgId);
    expect(twinTruth.permissionSets.map((s) => s.assignments)).toEqual(
      truth.permissionSets.map((s) => s.assignments),
    );
    expect(twinTruth.deactivationBlockers.length).toBe(truth.deactivationBlockers.length);
  });

  it('when profile-owned sets are queried, then each profile owns one and every user holds exactly their profile’s', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const { body: owned } = await client.query(
      'SELECT Id, Name, LicenseId, Profile.Name FROM PermissionSet WHERE IsOwnedByProfile = true',
    );
    const { body: profiles } = await client.query('SELECT Id, Name, UserLicenseId FROM Profile');
    expect(owned.totalSize).toBe(profiles.totalSize);
    for (const profile of profiles.records) {
      const set = owned.records.find((s) => (s.Profile as { Name: string }).Name === profile.Name);
      expect(set?.LicenseId).toBe(profile.UserLicenseId);
      expect(String(set?.Name)).toBe(`X${String(profile.Id).slice(0, 15)}`);
    }
    const { body: all } = await client.query('SELECT COUNT() FROM PermissionSetAssignment');
    expect(all.totalSize).toBe(USERS + truth.permissionSetAssignments);
    const admin = sim.admin.user(client.org.orgId, truth.adminUserId);
    const { body: adminSets } = await client.query(
      `SELECT Id, PermissionSet.Profile.Name FROM PermissionSetAssignment WHERE AssigneeId = '${truth.adminUserId}' AND PermissionSet.IsOwnedByProfile = true`,
    );
    expect(adminSets.records).toHaveLength(1);
    expect(adminSets.records[0]).toMatchObject({
      Id: admin?.profilePermissionSetAssignmentId,
      PermissionSet: { Profile: { Name: 'System Administrator' } },
    });
  });

  it('when PermissionSetAssignment is described, then it can be created and deleted but not updated', async () => {
    const { body } = await client.json<{
      createable: boolean;
      deletable: boolean;
      updateable: boolean;
      fields: { name: string; createable: boolean }[];
    }>('/sobjects/PermissionSetAssignment/describe');
    expect([body.createable, body.deletable, body.updateable]).toEqual([true, true, false]);
    expect(body.fields.filter((f) => f.createable).map((f) => f.name)).toEqual([
      'AssigneeId',
      'PermissionSetId',
    ]);
  });
});
