import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeactivationBlocker, RunningSimulator, UserState } from '../../simulator/server.js';
import type { CollectionResult, SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const SALES_CONSOLE_PSL = 'SalesConsoleUser';

describe('refused writes', () => {
  let sim: RunningSimulator;
  let client: RestClient;
  let users: UserState[];
  const taken = new Set<string>();

  const orgId = (): string => client.org.orgId;
  const state = (userId: string): UserState => {
    const found = sim.admin.user(orgId(), userId);
    if (!found) throw new Error(`no user ${userId}`);
    return found;
  };
  /** A user nobody else in this file has used yet, matching `test` (fresh state). */
  const takeUser = (test: (u: UserState) => boolean): UserState => {
    const found = users.map((u) => state(u.id)).find((u) => !taken.has(u.id) && test(u));
    if (!found) throw new Error('no such user in the org');
    taken.add(found.id);
    return found;
  };
  const counts = () => {
    const truth = sim.admin.truth(orgId());
    return {
      psl: truth.permissionSetLicenseAssignments,
      pkg: truth.packageLicenseAssignments,
      psa: truth.permissionSetAssignments,
      active: truth.activeUsers,
    };
  };

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 3000, seed: 3 }] });
    client = await RestClient.connect(firstOrg(sim));
    const { records } = await client.queryAllPages('SELECT Id FROM User ORDER BY Id');
    users = records.map((r) => state(String(r.Id)));
  });
  afterAll(() => sim.stop());

  it('when a collection DELETE mixes a permission set license and a package assignment, then every record is refused with MIXED_DML_OPERATION and nothing is deleted', async () => {
    const user = takeUser(
      (u) =>
        u.isActive &&
        u.packageLicenseAssignments.length > 0 &&
        u.permissionSetLicenseAssignments.some((a) => !a.inUse),
    );
    const license = user.permissionSetLicenseAssignments.find((a) => !a.inUse);
    const pkg = user.packageLicenseAssignments[0];
    if (!license || !pkg) throw new Error('user lacks assignments');
    const before = counts();

    const { status, body } = await client.deleteRecords([license.id, pkg.id]);

    expect(status).toBe(200);
    const refusal = {
      statusCode: 'MIXED_DML_OPERATION',
      message:
        'DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): UserPackageLicense, original object: PermissionSetLicenseAssign',
      fields: [],
    };
    expect(body).toEqual([
      { success: false, errors: [refusal] },
      { success: false, errors: [refusal] },
    ]);
    expect(counts()).toEqual(before);
    expect(state(user.id).packageLicenseAssignments.map((a) => a.id)).toContain(pkg.id);
    // The same records one type per call are deletable: only the mix was refused.
    expect((await client.deleteRecords([license.id])).body[0]?.success).toBe(true);
    expect((await client.deleteRecords([pkg.id])).body[0]?.success).toBe(true);
    expect(counts()).toEqual({ ...before, psl: before.psl - 1, pkg: before.pkg - 1 });
  });

  it('when a permission set license is deleted while a permission set the user holds needs it, then the record is refused with DELETE_FAILED and the license stays', async () => {
    const user = takeUser((u) => {
      const console = u.permissionSetLicenseAssignments.find((a) => a.developerName === SALES_CONSOLE_PSL);
      const needing = u.permissionSetAssignments.filter(
        (a) => a.requiredLicenseId === console?.permissionSetLicenseId,
      );
      return needing.length === 1 && needing[0]?.permissionSetName === 'Sales_Console_User';
    });
    const license = user.permissionSetLicenseAssignments.find((a) => a.developerName === SALES_CONSOLE_PSL);
    if (!license) throw new Error('user lacks the license');
    expect(license.inUse).toBe(true);
    const before = counts();

    const { status, body } = await client.deleteRecords([license.id]);

    expect(status).toBe(200);
    expect(body).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'DELETE_FAILED',
            message: `Can't remove permission set license Sales Console User from user ${user.username}: the user is assigned permission sets that require it (Sales Console User). Remove those permission set assignments first.`,
            fields: [],
          },
        ],
      },
    ]);
    expect(counts()).toEqual(before);
    expect(state(user.id).permissionSetLicenseAssignments).toContainEqual(license);
    const single = await client.json<SalesforceErrorBody>(
      `/sobjects/PermissionSetLicenseAssign/${license.id}`,
      {
        method: 'DELETE',
      },
    );
    expect([single.status, single.body[0]?.errorCode]).toEqual([400, 'DELETE_FAILED']);
  });

  it('when the permission sets needing a license are unassigned, then the license goes with them and deleting it afterwards reports ENTITY_IS_DELETED', async () => {
    const user = takeUser((u) => u.isActive && u.permissionSetLicenseAssignments.some((a) => a.inUse));
    const license = user.permissionSetLicenseAssignments.find((a) => a.inUse);
    if (!license) throw new Error('user lacks a license in use');
    const needing = user.permissionSetAssignments.filter(
      (a) => a.requiredLicenseId === license.permissionSetLicenseId,
    );
    const before = counts();

    const { body } = await client.deleteRecords(needing.map((a) => a.id));

    expect(body.map((r) => r.success)).toEqual(needing.map(() => true));
    const after = state(user.id);
    expect(after.permissionSetLicenseAssignments.map((a) => a.id)).not.toContain(license.id);
    expect(counts()).toEqual({ ...before, psl: before.psl - 1, psa: before.psa - needing.length });
    const again = await client.deleteRecords([license.id]);
    expect(again.body[0]?.errors[0]?.statusCode).toBe('ENTITY_IS_DELETED');
  });

  it('when 50 or more permission sets are unassigned in one call, then their licenses stay assigned until deleted', async () => {
    const chosen: UserState[] = [];
    const assignmentIds: string[] = [];
    while (assignmentIds.length < 50) {
      const user = takeUser((u) => u.permissionSetLicenseAssignments.some((a) => a.inUse));
      chosen.push(user);
      const licenses = new Set(
        user.permissionSetLicenseAssignments.filter((a) => a.inUse).map((a) => a.permissionSetLicenseId),
      );
      for (const a of user.permissionSetAssignments) {
        if (a.requiredLicenseId !== null && licenses.has(a.requiredLicenseId)) assignmentIds.push(a.id);
      }
    }
    const before = counts();

    const { body } = await client.deleteRecords(assignmentIds);

    expect(body.every((r) => r.success)).toBe(true);
    expect(counts()).toEqual({ ...before, psa: before.psa - assignmentIds.length });
    const freed = chosen.flatMap((u) => state(u.id).permissionSetLicenseAssignments);
    expect(freed.length).toBeGreaterThanOrEqual(chosen.length);
    expect(freed.every((a) => !a.inUse)).toBe(true);
    const { body: deleted } = await client.deleteRecords(freed.map((a) => a.id));
    expect(deleted.every((r) => r.success)).toBe(true);
  });

  it('when a profile-owned permission set assignment is deleted, then it is refused and stays', async () => {
    const user = takeUser((u) => u.isActive);
    const before = counts();
    const { body } = await client.deleteRecords([user.profilePermissionSetAssignmentId]);
    expect(body[0]?.errors[0]).toEqual({
      statusCode: 'FIELD_INTEGRITY_EXCEPTION',
      message:
        "You can't assign or unassign a permission set that's owned by a profile. Change the user's profile instead.",
      fields: [],
    });
    const { body: still } = await client.query(
      `SELECT Id, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE AssigneeId = '${user.id}' AND PermissionSet.IsOwnedByProfile = true`,
    );
    expect(still.records.map((r) => r.Id)).toEqual([user.profilePermissionSetAssignmentId]);
    expect(counts()).toEqual(before);
  });

  it.each([
    [
      'workflowEmailAlertRecipient',
      'You cannot deactivate this user. This user is the only recipient of one or more workflow email alerts. Add another recipient to those email alerts before you deactivate this user.',
    ],
    [
      'portalAccountOwner',
      'You cannot deactivate this user. This user owns one or more portal accounts. Transfer those accounts to another user before you deactivate this user.',
    ],
    ['customerPortalAdministrator', 'You cannot deactivate a user who is a portal administrator'],
  ] satisfies [DeactivationBlocker, string][])(
    'when a user who is a %s is deactivated, then it is refused with its message and freezing still works',
    async (blocker, message) => {
      const entry = sim.admin.truth(orgId()).deactivationBlockers.find((b) => b.blockers.includes(blocker));
      if (!entry) throw new Error(`org has no ${blocker}`);
      const user = state(entry.userId);
      expect(user.deactivationBlockers).toEqual([
        { blocker, statusCode: 'FIELD_INTEGRITY_EXCEPTION', message },
      ]);
      const before = counts();

      const { body } = await client.patch('/composite/sobjects', {
        allOrNone: false,
        records: [{ attributes: { type: 'User' }, id: user.id, IsActive: false }],
      });

      expect(body).toEqual([
        {
          success: false,
          errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION', message, fields: ['IsActive'] }],
        },
      ]);
      expect(counts()).toEqual(before);
      expect(state(user.id).isActive).toBe(true);
      const { body: login } = await client.query(`SELECT Id FROM UserLogin WHERE UserId = '${user.id}'`);
      const loginId = String(login.records[0]?.Id);
      const frozen = await client.patch('/composite/sobjects', {
        records: [{ attributes: { type: 'UserLogin' }, id: loginId, IsFrozen: true }],
      });
      expect((frozen.body as CollectionResult[])[0]).toEqual({ id: loginId, success: true, errors: [] });
      expect(state(user.id)).toMatchObject({ isActive: true, isFrozen: true });
      expect((await client.patch(`/sobjects/UserLogin/${loginId}`, { IsFrozen: false })).status).toBe(204);
      expect(state(user.id).isFrozen).toBe(false);
    },
  );
});
