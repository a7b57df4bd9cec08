/**
 * Salesforce Help 000394412: deactivating a user releases their Salesforce CPQ (and Billing, Advanced
 * Approvals) permission set license seat; a managed package license seat stays used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const CPQ_PSL = 'SalesforceCPQ_CPQStandardPerm';

describe('which seats count after a deactivation', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  const pslUsed = async (name: string) =>
    (await client.query(`SELECT UsedLicenses FROM PermissionSetLicense WHERE DeveloperName = '${name}'`)).body
      .records[0]?.UsedLicenses as number;
  const pkgUsed = async (prefix: string) =>
    (await client.query(`SELECT UsedLicenses FROM PackageLicense WHERE NamespacePrefix = '${prefix}'`)).body
      .records[0]?.UsedLicenses as number;
  const holders = async (soql: string) =>
    new Set((await client.queryAllPages(soql)).records.map((r) => String(r.AssigneeId ?? r.UserId)));

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 3000, seed: 11 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when a user holding the CPQ permission set license and the CPQ package license is deactivated, then the PSL seat is freed and the package seat still counts', async () => {
    const cpq = await holders(
      `SELECT AssigneeId FROM PermissionSetLicenseAssign WHERE PermissionSetLicense.DeveloperName = '${CPQ_PSL}'`,
    );
    const sbqq = await holders(
      "SELECT UserId FROM UserPackageLicense WHERE PackageLicense.NamespacePrefix = 'SBQQ'",
    );
    const truth = sim.admin.truth(client.org.orgId);
    const blocked = new Set([
      ...truth.deactivationBlockers.map((b) => b.userId),
      ...truth.defaultOwnerUserIds,
      truth.adminUserId,
    ]);
    const both = [...cpq].filter((id) => sbqq.has(id) && !blocked.has(id));
    let userId: string | undefined;
    for (const id of both) {
      const { body } = await client.query(`SELECT IsActive FROM User WHERE Id = '${id}'`);
      if (body.records[0]?.IsActive === true) {
        userId = id;
        break;
      }
    }
    expect(userId).toBeDefined();
    const [pslBefore, pkgBefore] = [await pslUsed(CPQ_PSL), await pkgUsed('SBQQ')];

    const { status } = await client.patch(`/sobjects/User/${userId}`, { IsActive: false });
    expect(status).toBe(204);

    expect(await pslUsed(CPQ_PSL)).toBe(pslBefore - 1);
    expect(await pkgUsed('SBQQ')).toBe(pkgBefore);
    // The assignment itself stays: only the count changes.
    const still = await holders(
      `SELECT AssigneeId FROM PermissionSetLicenseAssign WHERE PermissionSetLicense.DeveloperName = '${CPQ_PSL}'`,
    );
    expect(still.has(userId as string)).toBe(true);

    await client.patch(`/sobjects/User/${userId}`, { IsActive: true });
    expect(await pslUsed(CPQ_PSL)).toBe(pslBefore);
  });

  it('when another permission set license holder is deactivated, then that seat keeps counting', async () => {
    const name = 'LightningConsoleUser';
    const truth = sim.admin.truth(client.org.orgId);
    const blocked = new Set([
      ...truth.deactivationBlockers.map((b) => b.userId),
      ...truth.defaultOwnerUserIds,
      truth.adminUserId,
    ]);
    const { records } = await client.queryAllPages(
      `SELECT AssigneeId FROM PermissionSetLicenseAssign WHERE PermissionSetLicense.DeveloperName = '${name}' AND Assignee.IsActive = true`,
    );
    const userId = records.map((r) => String(r.AssigneeId)).find((id) => !blocked.has(id));
    expect(userId).toBeDefined();
    const before = await pslUsed(name);
    expect((await client.patch(`/sobjects/User/${userId}`, { IsActive: false })).status).toBe(204);
    expect(await pslUsed(name)).toBe(before);
  });
});
