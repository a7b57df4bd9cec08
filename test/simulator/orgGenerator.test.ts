import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

describe('generated orgs', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({
      orgs: [
        { users: 3000, seed: 7 },
        { users: 3000, seed: 7 },
        { users: 50, seed: 8 },
      ],
    });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when two orgs share a seed, then they hold the same users and licenses under different org ids', () => {
    const [a, b] = sim.orgs;
    if (!a || !b) throw new Error('two orgs expected');
    expect(a.orgId).not.toBe(b.orgId);
    const truthA = sim.admin.truth(a.orgId);
    const truthB = sim.admin.truth(b.orgId);
    expect(truthA.licenses.map((l) => [l.name, l.activeUsers, l.inactiveUsers])).toEqual(
      truthB.licenses.map((l) => [l.name, l.activeUsers, l.inactiveUsers]),
    );
    expect(truthA.lastLogin).toEqual(truthB.lastLogin);
  });

  it('when UserLicense is queried, then UsedLicenses equals the active users holding each license', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const { body } = await client.query('SELECT Name, UsedLicenses, TotalLicenses FROM UserLicense');
    for (const record of body.records) {
      const expected = truth.licenses.find((l) => l.name === record.Name);
      expect(record.UsedLicenses).toBe(expected?.activeUsers);
      expect(record.TotalLicenses as number).toBeGreaterThanOrEqual(record.UsedLicenses as number);
      const { body: count } = await client.query(
        `SELECT COUNT() FROM User WHERE IsActive = true AND Profile.UserLicense.Name = '${String(record.Name)}'`,
      );
      expect(count.totalSize).toBe(record.UsedLicenses);
    }
  });

  it('when users are counted by type and login age, then the API agrees with the truth', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const standard = truth.usersByUserType.Standard;
    const { body: byType } = await client.query("SELECT COUNT() FROM User WHERE UserType = 'Standard'");
    expect(byType.totalSize).toBe((standard?.active ?? 0) + (standard?.inactive ?? 0));
    const { body: never } = await client.query(
      'SELECT COUNT() FROM User WHERE IsActive = true AND LastLoginDate = null',
    );
    expect(never.totalSize).toBe(truth.lastLogin.active.never);
    expect(truth.lastLogin.active.never).toBeGreaterThan(0);
    expect(truth.lastLogin.active.days90To365).toBeGreaterThan(0);
    expect(truth.neverLoggedInCreatedWithin30Days).toBeGreaterThan(0);
    expect(Object.keys(truth.usersByUserType).sort()).toEqual(
      ['CspLitePortal', 'CsnOnly', 'Guest', 'PowerCustomerSuccess', 'PowerPartner', 'Standard'].sort(),
    );
  });

  it('when assignments are counted, then PSL UsedLicenses equal the assignment counts, but CPQ seats of deactivated users do not count', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const { body: psl } = await client.query('SELECT COUNT() FROM PermissionSetLicenseAssign');
    const { body: pkg } = await client.query('SELECT COUNT() FROM UserPackageLicense');
    expect(psl.totalSize).toBe(truth.permissionSetLicenseAssignments);
    expect(pkg.totalSize).toBe(truth.packageLicenseAssignments);
    const { body: licenses } = await client.query(
      'SELECT DeveloperName, UsedLicenses FROM PermissionSetLicense',
    );
    for (const record of licenses.records) {
      const held = truth.permissionSetLicenses.find((p) => p.name === record.DeveloperName);
      // CPQ-family seats of deactivated users do not count (Salesforce Help 000394412).
      const counted = String(record.DeveloperName).startsWith('SalesforceCPQ_')
        ? held?.activeAssignees
        : held?.assignments;
      expect([record.DeveloperName, record.UsedLicenses]).toEqual([record.DeveloperName, counted]);
    }
    const cpq = truth.permissionSetLicenses.find((p) => p.name === 'SalesforceCPQ_CPQStandardPerm');
    expect(cpq && cpq.activeAssignees < cpq.assignments).toBe(true);
    const { body: packages } = await client.query(
      'SELECT NamespacePrefix, AllowedLicenses FROM PackageLicense',
    );
    expect(packages.records.some((p) => p.AllowedLicenses === -1)).toBe(true);
  });

  it('when the admin user is read, then it is the OAuth user with a System Administrator profile', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const { body } = await client.query(
      `SELECT Username, Profile.Name, IsActive FROM User WHERE Id = '${truth.adminUserId}'`,
    );
    expect(body.records[0]).toMatchObject({
      Username: client.org.adminUsername,
      IsActive: true,
      Profile: { Name: 'System Administrator' },
    });
    expect(truth.defaultOwnerUserIds).toHaveLength(3);
    expect(sim.admin.user(client.org.orgId, truth.defaultOwnerUserIds[0] ?? '')?.defaultOwnerRole).toBe(
      'lead',
    );
  });

  it('when the truth is fetched over HTTP, then it equals the in-process truth', async () => {
    const response = await fetch(`${sim.url}/__admin/orgs/${client.org.orgId}/truth`);
    const truth = (await response.json()) as { licenses: unknown[]; activeUsers: number };
    expect(response.status).toBe(200);
    expect(truth.licenses).toEqual(sim.admin.truth(client.org.orgId).licenses);
    const user = await fetch(`${sim.url}/__admin/orgs/${client.org.orgId}/users/${client.org.adminUserId}`);
    expect(((await user.json()) as { isAdmin: boolean }).isAdmin).toBe(true);
  });

  it('when the smallest org is generated, then it still has the admin and the default owners', () => {
    const small = sim.orgs[2];
    if (!small) throw new Error('third org expected');
    const truth = sim.admin.truth(small.orgId);
    expect(truth.users).toBe(50);
    expect(truth.activeUsers + truth.inactiveUsers).toBe(50);
    expect(truth.defaultOwnerUserIds).toHaveLength(3);
  });

  it('when User is described, then the object and IsActive are updateable', async () => {
    const { status, body } = await client.json<{
      updateable: boolean;
      fields: { name: string; updateable: boolean }[];
    }>('/sobjects/User/describe');
    expect(status).toBe(200);
    expect(body.updateable).toBe(true);
    expect(body.fields.find((f) => f.name === 'IsActive')?.updateable).toBe(true);
    expect(body.fields.find((f) => f.name === 'CreatedDate')?.updateable).toBe(false);
  });
});
