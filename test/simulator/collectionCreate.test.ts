import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgTruth, RunningSimulator, UserState } from '../../simulator/server.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const psa = (assigneeId: string, permissionSetId: string) => ({
  attributes: { type: 'PermissionSetAssignment' },
  AssigneeId: assigneeId,
  PermissionSetId: permissionSetId,
});
const psla = (assigneeId: string, permissionSetLicenseId: string) => ({
  attributes: { type: 'PermissionSetLicenseAssign' },
  AssigneeId: assigneeId,
  PermissionSetLicenseId: permissionSetLicenseId,
});
const upl = (userId: string, packageLicenseId: string) => ({
  attributes: { type: 'UserPackageLicense' },
  UserId: userId,
  PackageLicenseId: packageLicenseId,
});

describe('creating assignments through sObject Collections', () => {
  let sim: RunningSimulator;
  let client: RestClient;
  let users: UserState[];
  const taken = new Set<string>();

  const orgId = (): string => client.org.orgId;
  const truth = (): OrgTruth => sim.admin.truth(orgId());
  const state = (userId: string): UserState => {
    const found = sim.admin.user(orgId(), userId);
    if (!found) throw new Error(`no user ${userId}`);
    return found;
  };
  const takeUsers = (n: number, test: (u: UserState) => boolean): UserState[] => {
    const found = users
      .map((u) => state(u.id))
      .filter((u) => !taken.has(u.id) && test(u))
      .slice(0, n);
    if (found.length < n) throw new Error(`only ${found.length} such users`);
    for (const u of found) taken.add(u.id);
    return found;
  };
  const takeUser = (test: (u: UserState) => boolean): UserState => takeUsers(1, test)[0] as UserState;
  const internal = (u: UserState): boolean =>
    u.isActive && u.licenseDefinitionKey === 'SFDC' && u.deactivationBlockers.length === 0 && !u.isAdmin;
  const setNamed = (name: string) => {
    const set = truth().permissionSets.find((s) => s.name === name);
    if (!set) throw new Error(`no set ${name}`);
    return set;
  };
  const licenseNamed = (name: string) => {
    const license = truth().permissionSetLicenses.find((l) => l.name === name);
    if (!license) throw new Error(`no license ${name}`);
    return license;
  };
  const counts = () => {
    const t = truth();
    return {
      psl: t.permissionSetLicenseAssignments,
      pkg: t.packageLicenseAssignments,
      psa: t.permissionSetAssignments,
    };
  };

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 3000, seed: 11 }] });
    client = await RestClient.connect(firstOrg(sim));
    const { records } = await client.queryAllPages('SELECT Id FROM User ORDER BY Id');
    users = records.map((r) => state(String(r.Id)));
  });
  afterAll(() => sim.stop());

  it('when what reclaim removed is created again, one type per call, then each record gets a new id in request order and the seats are taken again', async () => {
    const user = takeUser(
      (u) =>
        internal(u) &&
        u.packageLicenseAssignments.length > 0 &&
        u.permissionSetLicenseAssignments.some((a) => !a.inUse) &&
        u.permissionSetAssignments.some((a) => a.requiredLicenseId === null),
    );
    const license = user.permissionSetLicenseAssignments.find((a) => !a.inUse);
    const pkg = user.packageLicenseAssignments[0];
    const plain = user.permissionSetAssignments.find((a) => a.requiredLicenseId === null);
    if (!license || !pkg || !plain) throw new Error('user lacks assignments');
    const { body: pkgRow } = await client.query(
      `SELECT PackageLicenseId FROM UserPackageLicense WHERE Id = '${pkg.id}'`,
    );
    const packageLicenseId = String(pkgRow.records[0]?.PackageLicenseId);
    for (const id of [license.id, pkg.id, plain.id]) {
      expect((await client.deleteRecords([id])).body[0]?.success).toBe(true);
    }
    const before = counts();

    const created = [
      await client.createRecords([psla(user.id, license.permissionSetLicenseId)]),
      await client.createRecords([upl(user.id, packageLicenseId)]),
      await client.createRecords([psa(user.id, plain.permissionSetId)]),
    ];

    expect(created.map((c) => c.status)).toEqual([200, 200, 200]);
    const ids = created.map((c) => c.body[0]?.id ?? '');
    expect(created.map((c) => c.body[0])).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(ids.map((id) => id.slice(0, 3))).toEqual(['2LA', '051', '0Pa']);
    expect(ids).not.toContain(license.id);
    expect(ids).not.toContain(pkg.id);
    expect(counts()).toEqual({ psl: before.psl + 1, pkg: before.pkg + 1, psa: before.psa + 1 });
    const after = state(user.id);
    expect(after.permissionSetLicenseAssignments.map((a) => a.id)).toContain(ids[0]);
    expect(after.packageLicenseAssignments.map((a) => a.id)).toContain(ids[1]);
    expect(after.permissionSetAssignments.map((a) => a.id)).toContain(ids[2]);
    const { body: queried } = await client.query(
      `SELECT Id, PermissionSet.Name FROM PermissionSetAssignment WHERE Id = '${ids[2]}'`,
    );
    expect(queried.records[0]).toMatchObject({
      Id: ids[2],
      PermissionSet: { Name: plain.permissionSetName },
    });
  });

  it('when an assignment the user already holds is created, then it is refused with DUPLICATE_VALUE', async () => {
    const user = takeUser(
      (u) =>
        internal(u) && u.permissionSetAssignments.length > 0 && u.permissionSetLicenseAssignments.length > 0,
    );
    const held = user.permissionSetAssignments[0];
    const license = user.permissionSetLicenseAssignments[0];
    if (!held || !license) throw new Error('user lacks assignments');
    const before = counts();

    const sets = await client.createRecords([psa(user.id, held.permissionSetId)]);
    const licenses = await client.createRecords([psla(user.id, license.permissionSetLicenseId)]);

    expect(sets.body[0]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'DUPLICATE_VALUE',
          message: `Duplicate PermissionSetAssignment. Assignee: ${user.id}; Permission Set: ${held.permissionSetId}`,
          fields: [],
        },
      ],
    });
    expect(licenses.body[0]?.errors).toEqual([
      {
        statusCode: 'DUPLICATE_VALUE',
        message: `duplicate value found: <unknown> duplicates value on record with id: ${license.id}`,
        fields: [],
      },
    ]);
    expect(counts()).toEqual(before);
  });

  it('when a set needs a license the user lacks, then a set naming it as License takes a seat and a set with License None is refused', async () => {
    const console = licenseNamed('LightningConsoleUser');
    const [agent, supervisor] = takeUsers(
      2,
      (u) =>
        internal(u) &&
        !u.permissionSetLicenseAssignments.some((a) => a.developerName === 'LightningConsoleUser'),
    );
    if (!agent || !supervisor) throw new Error('two users expected');
    const { body: named } = await client.query(`SELECT Name FROM User WHERE Id = '${supervisor.id}'`);
    const before = counts();

    const licensed = await client.createRecords([psa(agent.id, setNamed('Service_Console_Agent').id)]);
    const unlicensed = await client.createRecords([psa(supervisor.id, setNamed('Console_Supervisors').id)]);

    expect(licensed.body[0]?.success).toBe(true);
    expect(state(agent.id).permissionSetLicenseAssignments.map((a) => a.permissionSetLicenseId)).toContain(
      console.id,
    );
    expect(unlicensed.body[0]?.errors).toEqual([
      {
        statusCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Can't assign permission set Console Supervisors to user ${String(named.records[0]?.Name)}. The permission set contains an object that requires a license. Before continuing, assign the user to the related permission set license.`,
        fields: [],
      },
    ]);
    expect(counts()).toEqual({ psl: before.psl + 1, pkg: before.pkg, psa: before.psa + 1 });
    expect(licenseNamed('LightningConsoleUser').usedLicenses).toBe(console.usedLicenses + 1);
  });

  it('when a license has no seat left, then the next assignment is refused with LICENSE_LIMIT_EXCEEDED', async () => {
    const identity = licenseNamed('IdentityConnect');
    const seats = identity.total - identity.usedLicenses;
    expect(seats).toBeGreaterThan(0);
    const assignees = takeUsers(seats + 1, internal);

    const { body } = await client.createRecords(assignees.map((u) => psla(u.id, identity.id)));

    expect(body.map((r) => r.success)).toEqual([...assignees.slice(1).map(() => true), false]);
    expect(body.at(-1)?.errors).toEqual([
      { statusCode: 'LICENSE_LIMIT_EXCEEDED', message: 'License limit exceeded', fields: [] },
    ]);
    expect(licenseNamed('IdentityConnect').usedLicenses).toBe(identity.total);

    const finserv = truth().packageLicenses.find((p) => p.name === 'FinServ');
    if (!finserv) throw new Error('no FinServ package');
    const packageSeats = finserv.total - finserv.usedLicenses;
    const holders = takeUsers(
      packageSeats + 1,
      (u) => internal(u) && !u.packageLicenseAssignments.some((a) => a.namespacePrefix === 'FinServ'),
    );
    const packages = await client.createRecords(holders.map((u) => upl(u.id, finserv.id)));
    expect(packages.body.at(-1)?.errors[0]?.statusCode).toBe('LICENSE_LIMIT_EXCEEDED');
    expect(packages.body.filter((r) => r.success)).toHaveLength(packageSeats);
  });

  it('when the assignee is inactive, then license and package seats are refused but a permission set is assigned', async () => {
    const user = takeUser(
      (u) =>
        !u.isActive &&
        u.licenseDefinitionKey === 'SFDC' &&
        !u.permissionSetAssignments.some((a) => a.permissionSetName === 'Report_Builder') &&
        !u.packageLicenseAssignments.some((a) => a.namespacePrefix === 'dsfs') &&
        !u.permissionSetLicenseAssignments.some((a) => a.developerName === 'SalesConsoleUser'),
    );
    const dsfs = truth().packageLicenses.find((p) => p.name === 'dsfs');
    if (!dsfs) throw new Error('no dsfs package');
    const before = counts();

    const license = await client.createRecords([psla(user.id, licenseNamed('SalesConsoleUser').id)]);
    const pkg = await client.createRecords([upl(user.id, dsfs.id)]);
    const set = await client.createRecords([psa(user.id, setNamed('Report_Builder').id)]);

    const inactive = [
      { statusCode: 'INACTIVE_OWNER_OR_USER', message: 'operation performed with inactive user', fields: [] },
    ];
    expect(license.body[0]?.errors).toEqual(inactive);
    expect(pkg.body[0]?.errors).toEqual(inactive);
    expect(set.body[0]?.success).toBe(true);
    expect(counts()).toEqual({ ...before, psa: before.psa + 1 });
  });

  it('when one call mixes object types, then every record is refused with MIXED_DML_OPERATION and nothing is created', async () => {
    const user = takeUser(internal);
    const before = counts();
    const { status, body } = await client.createRecords([
      psa(user.id, setNamed('Export_Reports').id),
      psla(user.id, licenseNamed('IdentityConnect').id),
    ]);
    expect(status).toBe(200);
    const refusal = {
      statusCode: 'MIXED_DML_OPERATION',
      message:
        'DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): PermissionSetLicenseAssign, original object: PermissionSetAssignment',
      fields: [],
    };
    expect(body).toEqual([
      { success: false, errors: [refusal] },
      { success: false, errors: [refusal] },
    ]);
    expect(counts()).toEqual(before);
  });

  it('when records are malformed, then each is refused with the code Salesforce gives', async () => {
    const user = takeUser(internal);
    const set = setNamed('Campaign_Managers').id;
    const { body: profileSets } = await client.query(
      'SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true LIMIT 1',
    );
    const before = counts();

    const { body } = await client.createRecords([
      { ...psa(user.id, set), Id: '0Pa000000000001AAA' },
      { attributes: { type: 'PermissionSetAssignment' }, AssigneeId: user.id },
      psa(user.id, user.id),
      { ...psa(user.id, set), Bogus: 'x' },
      psa(user.id, String(profileSets.records[0]?.Id)),
      psa(user.id, 'not-an-id'),
      { AssigneeId: user.id },
    ]);
    // A User record would make the call mix types: it goes alone.
    const { body: users } = await client.createRecords([{ attributes: { type: 'User' }, LastName: 'New' }]);

    expect(body.map((r) => [r.errors[0]?.statusCode, r.errors[0]?.fields])).toEqual([
      ['INVALID_FIELD_FOR_INSERT_UPDATE', ['Id']],
      ['REQUIRED_FIELD_MISSING', ['PermissionSetId']],
      ['FIELD_INTEGRITY_EXCEPTION', ['PermissionSetId']],
      ['INVALID_FIELD', ['Bogus']],
      ['FIELD_INTEGRITY_EXCEPTION', []],
      ['MALFORMED_ID', ['PermissionSetId']],
      ['INVALID_TYPE', []],
    ]);
    expect(users[0]?.errors).toEqual([
      {
        statusCode: 'INVALID_TYPE_FOR_OPERATION',
        message: 'entity type cannot be inserted: User',
        fields: [],
      },
    ]);
    expect(body[1]?.errors[0]?.message).toBe('Required fields are missing: [PermissionSetId]');
    expect(body[2]?.errors[0]?.message).toBe(`Permission Set ID: id value of incorrect type: ${user.id}`);
    expect(counts()).toEqual(before);
  });

  it('when more than 200 records are sent, then the call is refused with EXCEEDED_ID_LIMIT', async () => {
    const user = takeUser(internal);
    const records = Array.from({ length: 201 }, () => psa(user.id, setNamed('API_Enabled').id));
    const { status, body } = await client.createRecords(records);
    expect([status, body[0]?.errorCode]).toEqual([400, 'EXCEEDED_ID_LIMIT']);
    expect(state(user.id).permissionSetAssignments.map((a) => a.permissionSetName)).not.toContain(
      'API_Enabled',
    );
  });

  it('when allOrNone is set and one record fails, then nothing is created and the others report a rollback', async () => {
    const [first, second] = takeUsers(
      2,
      (u) =>
        internal(u) && !u.permissionSetAssignments.some((a) => a.permissionSetName === 'Knowledge_Authors'),
    );
    if (!first || !second) throw new Error('two users expected');
    const knowledge = setNamed('Knowledge_Authors').id;
    const before = counts();

    const { body } = await client.createRecords(
      [psa(first.id, knowledge), psa(second.id, knowledge), psa(second.id, knowledge)],
      true,
    );

    expect(body.map((r) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'DUPLICATE_VALUE',
    ]);
    expect(counts()).toEqual(before);
    expect(state(first.id).permissionSetAssignments.map((a) => a.permissionSetName)).not.toContain(
      'Knowledge_Authors',
    );
  });

  it('when a reclaimed user is undone (reactivated, unfrozen, assignments created), then every step succeeds', async () => {
    const user = takeUser(
      (u) => internal(u) && !u.isFrozen && u.permissionSetLicenseAssignments.some((a) => !a.inUse),
    );
    const license = user.permissionSetLicenseAssignments.find((a) => !a.inUse);
    if (!license) throw new Error('user lacks a free license');
    const { body: login } = await client.query(`SELECT Id FROM UserLogin WHERE UserId = '${user.id}'`);
    const loginId = String(login.records[0]?.Id);
    await client.patch(`/sobjects/UserLogin/${loginId}`, { IsFrozen: true });
    await client.patch(`/sobjects/User/${user.id}`, { IsActive: false });
    expect((await client.deleteRecords([license.id])).body[0]?.success).toBe(true);

    expect((await client.patch(`/sobjects/User/${user.id}`, { IsActive: true })).status).toBe(204);
    expect((await client.patch(`/sobjects/UserLogin/${loginId}`, { IsFrozen: false })).status).toBe(204);
    const { body } = await client.createRecords([psla(user.id, license.permissionSetLicenseId)]);

    expect(body[0]?.success).toBe(true);
    expect(state(user.id)).toMatchObject({ isActive: true, isFrozen: false });
    expect(state(user.id).permissionSetLicenseAssignments.map((a) => a.developerName)).toContain(
      license.developerName,
    );
  });
});
