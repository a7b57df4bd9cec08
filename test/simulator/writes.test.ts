import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

interface CollectionResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

describe('reclaim writes', () => {
  let sim: RunningSimulator;
  let client: RestClient;
  let activeSalesforceUsers: string[];

  const usedLicenses = async (name: string): Promise<number> => {
    const { body } = await client.query(`SELECT UsedLicenses FROM UserLicense WHERE Name = '${name}'`);
    return body.records[0]?.UsedLicenses as number;
  };
  const takeUsers = (n: number): string[] => activeSalesforceUsers.splice(0, n);

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 3000, seed: 3 }] });
    client = await RestClient.connect(firstOrg(sim));
    const { records } = await client.queryAllPages(
      "SELECT Id FROM User WHERE IsActive = true AND Profile.UserLicense.LicenseDefinitionKey = 'SFDC' AND Id > '" +
        sim.admin.truth(client.org.orgId).defaultOwnerUserIds[2] +
        "' ORDER BY Id",
    );
    const blocked = new Set(sim.admin.truth(client.org.orgId).deactivationBlockers.map((b) => b.userId));
    activeSalesforceUsers = records.map((r) => String(r.Id)).filter((id) => !blocked.has(id));
  });
  afterAll(() => sim.stop());

  it('when a user is deactivated, then the call answers 204 and the Salesforce license is freed', async () => {
    const [userId] = takeUsers(1);
    const before = await usedLicenses('Salesforce');
    const { status } = await client.patch(`/sobjects/User/${userId}`, { IsActive: false });
    expect(status).toBe(204);
    expect(await usedLicenses('Salesforce')).toBe(before - 1);
    expect(sim.admin.user(client.org.orgId, userId ?? '')?.isActive).toBe(false);
    const { body } = await client.query(`SELECT IsActive FROM User WHERE Id = '${userId}'`);
    expect(body.records[0]?.IsActive).toBe(false);
  });

  it('when users are read, then most carry a federation id (single sign-on), and an admin can set and clear one', async () => {
    const { records } = await client.queryAllPages('SELECT Id, FederationIdentifier FROM User ORDER BY Id');
    const ids = records.map((r) => r.FederationIdentifier);
    expect(ids[0]).toBeNull();
    const withId = ids.filter((v) => typeof v === 'string').length;
    expect(withId / ids.length).toBeGreaterThan(0.6);
    expect(withId / ids.length).toBeLessThan(0.95);
    const [userId] = takeUsers(1);
    const read = async () =>
      (await client.query(`SELECT FederationIdentifier FROM User WHERE Id = '${userId}'`)).body.records[0]
        ?.FederationIdentifier;
    expect((await client.patch(`/sobjects/User/${userId}`, { FederationIdentifier: 'E-4711' })).status).toBe(
      204,
    );
    expect(await read()).toBe('E-4711');
    expect((await client.patch(`/sobjects/User/${userId}`, { FederationIdentifier: null })).status).toBe(204);
    expect(await read()).toBeNull();
  });

  it('when a deactivated user is reactivated, then the license is taken again', async () => {
    const [userId] = takeUsers(1);
    const before = await usedLicenses('Salesforce');
    await client.patch(`/sobjects/User/${userId}`, { IsActive: false });
    await client.patch(`/sobjects/User/${userId?.slice(0, 15)}`, { IsActive: true });
    expect(await usedLicenses('Salesforce')).toBe(before);
  });

  it('when an already inactive user is deactivated again, then it is a successful no-op', async () => {
    const [userId] = takeUsers(1);
    await client.patch(`/sobjects/User/${userId}`, { IsActive: false });
    const before = await usedLicenses('Salesforce');
    expect((await client.patch(`/sobjects/User/${userId}`, { IsActive: false })).status).toBe(204);
    expect(await usedLicenses('Salesforce')).toBe(before);
  });

  it('when the caller, a default owner or an unknown user is deactivated, then each is refused as Salesforce does', async () => {
    const truth = sim.admin.truth(client.org.orgId);
    const self = await client.patch(`/sobjects/User/${truth.adminUserId}`, { IsActive: false });
    expect(self.status).toBe(400);
    expect((self.body as SalesforceErrorBody)[0]).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: expect.stringContaining('yourself'),
    });
    const owner = await client.patch(`/sobjects/User/${truth.defaultOwnerUserIds[0]}`, { IsActive: false });
    expect((owner.body as SalesforceErrorBody)[0]?.message).toContain('default lead owner');
    const unknown = await client.patch('/sobjects/User/005000000000000AAA', { IsActive: false });
    expect(unknown.status).toBe(404);
    expect((unknown.body as SalesforceErrorBody)[0]?.errorCode).toBe('NOT_FOUND');
    const malformed = await client.patch('/sobjects/User/005abc', { IsActive: false });
    expect([malformed.status, (malformed.body as SalesforceErrorBody)[0]?.errorCode]).toEqual([
      400,
      'MALFORMED_ID',
    ]);
  });

  it('when a field is unknown, read-only or of the wrong type, then the update is refused with Salesforce’s code', async () => {
    const [userId] = takeUsers(1);
    const cases: [unknown, string][] = [
      [{ Foo: 1 }, 'INVALID_FIELD'],
      [{ CreatedDate: '2020-01-01T00:00:00Z' }, 'INVALID_FIELD_FOR_INSERT_UPDATE'],
      [{ IsActive: 'no' }, 'INVALID_TYPE_ON_FIELD_IN_RECORD'],
    ];
    for (const [body, code] of cases) {
      const response = await client.patch(`/sobjects/User/${userId}`, body);
      expect([response.status, (response.body as SalesforceErrorBody)[0]?.errorCode]).toEqual([400, code]);
    }
    const notJson = await client.json<SalesforceErrorBody>(`/sobjects/User/${userId}`, {
      method: 'PATCH',
      body: '{IsActive:',
    });
    expect([notJson.status, notJson.body[0]?.errorCode]).toEqual([400, 'JSON_PARSER_ERROR']);
  });

  it('when a composite update mixes good and bad records without allOrNone, then results follow request order', async () => {
    const ids = takeUsers(3);
    const truth = sim.admin.truth(client.org.orgId);
    const before = await usedLicenses('Salesforce');
    const records = [
      { attributes: { type: 'User' }, id: ids[0], IsActive: false },
      { attributes: { type: 'User' }, id: truth.defaultOwnerUserIds[1], IsActive: false },
      { attributes: { type: 'User' }, id: 'bogus', IsActive: false },
      { attributes: { type: 'User' }, id: ids[1], IsActive: false },
      { attributes: { type: 'Account' }, id: ids[2], Name: 'x' },
    ];
    const { status, body } = await client.patch('/composite/sobjects', { allOrNone: false, records });
    const results = body as CollectionResult[];
    expect(status).toBe(200);
    expect(results.map((r) => r.success)).toEqual([true, false, false, true, false]);
    expect(results[0]).toEqual({ id: ids[0], success: true, errors: [] });
    expect(results[1]?.errors[0]).toMatchObject({
      statusCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: expect.stringContaining('default case owner'),
    });
    expect(results[2]?.errors[0]?.statusCode).toBe('MALFORMED_ID');
    expect(results[4]?.errors[0]?.statusCode).toBe('INVALID_TYPE');
    expect(await usedLicenses('Salesforce')).toBe(before - 2);
  });

  it('when allOrNone is set and one record fails, then nothing changes and the rest report a rollback', async () => {
    const ids = takeUsers(2);
    const before = await usedLicenses('Salesforce');
    const records = [
      { attributes: { type: 'User' }, id: ids[0], IsActive: false },
      { attributes: { type: 'User' }, id: client.org.adminUserId, IsActive: false },
      { attributes: { type: 'User' }, id: ids[1], IsActive: false },
    ];
    const results = (await client.patch('/composite/sobjects', { allOrNone: true, records }))
      .body as CollectionResult[];
    expect(results.map((r) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'FIELD_INTEGRITY_EXCEPTION',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
    ]);
    expect(await usedLicenses('Salesforce')).toBe(before);
    expect(sim.admin.user(client.org.orgId, ids[0] ?? '')?.isActive).toBe(true);
  });

  it('when more than 200 records are sent, then the call is refused with EXCEEDED_ID_LIMIT', async () => {
    const records = Array.from({ length: 201 }, () => ({
      attributes: { type: 'User' },
      id: client.org.adminUserId,
      IsActive: true,
    }));
    const { status, body } = await client.patch('/composite/sobjects', { records });
    expect([status, (body as SalesforceErrorBody)[0]?.errorCode]).toEqual([400, 'EXCEEDED_ID_LIMIT']);
  });

  it('when a user is frozen, then UserLogin shows it and the license stays used', async () => {
    const [userId] = takeUsers(1);
    const { body: login } = await client.query(
      `SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${userId}'`,
    );
    const loginId = String(login.records[0]?.Id);
    const before = await usedLicenses('Salesforce');
    expect((await client.patch(`/sobjects/UserLogin/${loginId}`, { IsFrozen: true })).status).toBe(204);
    const { body: after } = await client.query(`SELECT IsFrozen FROM UserLogin WHERE Id = '${loginId}'`);
    expect(after.records[0]?.IsFrozen).toBe(true);
    expect(await usedLicenses('Salesforce')).toBe(before);
    const viaComposite = await client.patch('/composite/sobjects', {
      records: [{ attributes: { type: 'UserLogin' }, id: loginId, IsFrozen: false }],
    });
    expect((viaComposite.body as CollectionResult[])[0]?.success).toBe(true);
    expect(sim.admin.user(client.org.orgId, userId ?? '')?.isFrozen).toBe(false);
  });

  it('when permission-set and package assignments are deleted, then their UsedLicenses drop', async () => {
    const { records: psl } = await client.queryAllPages(
      'SELECT Id, AssigneeId, PermissionSetLicenseId, PermissionSetLicense.UsedLicenses FROM PermissionSetLicenseAssign',
    );
    // A license no permission set of its holder needs (deleting one in use is refused).
    const assignment = psl.find(
      (r) =>
        sim.admin
          .user(client.org.orgId, String(r.AssigneeId))
          ?.permissionSetLicenseAssignments.some((a) => a.id === r.Id && !a.inUse) === true,
    ) as {
      Id: string;
      PermissionSetLicenseId: string;
      PermissionSetLicense: { UsedLicenses: number };
    };
    const deleted = await client.request(`/sobjects/PermissionSetLicenseAssign/${assignment.Id}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    const { body: after } = await client.query(
      `SELECT UsedLicenses FROM PermissionSetLicense WHERE Id = '${assignment.PermissionSetLicenseId}'`,
    );
    expect(after.records[0]?.UsedLicenses).toBe(assignment.PermissionSetLicense.UsedLicenses - 1);
    const again = await client.json<SalesforceErrorBody>(
      `/sobjects/PermissionSetLicenseAssign/${assignment.Id}`,
      { method: 'DELETE' },
    );
    expect([again.status, again.body[0]?.errorCode]).toEqual([404, 'ENTITY_IS_DELETED']);

    const { body: upl } = await client.query('SELECT Id FROM UserPackageLicense LIMIT 2');
    const ids = upl.records.map((r) => String(r.Id));
    const before = sim.admin.truth(client.org.orgId).packageLicenseAssignments;
    const { body } = await client.json<CollectionResult[]>(
      `/composite/sobjects?ids=${[...ids, 'bad'].join(',')}&allOrNone=false`,
      { method: 'DELETE' },
    );
    expect(body.map((r) => r.success)).toEqual([true, true, false]);
    expect(sim.admin.truth(client.org.orgId).packageLicenseAssignments).toBe(before - 2);
  });

  it('when a UNABLE_TO_LOCK_ROW fault is pending, then the next writes fail per record and later ones succeed', async () => {
    const ids = takeUsers(3);
    sim.admin.addFault({ kind: 'lockRow', orgId: client.org.orgId, count: 2 });
    const records = ids.map((id) => ({ attributes: { type: 'User' }, id, IsActive: false }));
    const results = (await client.patch('/composite/sobjects', { records })).body as CollectionResult[];
    expect(results.map((r) => r.errors[0]?.statusCode ?? 'OK')).toEqual([
      'UNABLE_TO_LOCK_ROW',
      'UNABLE_TO_LOCK_ROW',
      'OK',
    ]);
  });
});
