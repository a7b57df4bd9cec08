/**
 * What the reclaim re-reads from Salesforce right before a batch of writes, one query per kind for
 * the whole batch (≤ 200 users): the users themselves, their logins (frozen state, and the record a
 * freeze writes), and the assignments a removal would delete with the permission sets that need them.
 */
import { z } from 'zod';
import type { SalesforceOrgClient } from '../../../shared/salesforce/salesforceClient.js';
import { flag, nullableString, sfDate } from '../downloadSubscriptions/salesforceRecords.js';
import { chunk, WRITE_BATCH } from './reclaimCalls.js';

export interface UserNow {
  id: string;
  username: string;
  isActive: boolean;
  lastLoginAt: Date | null;
  userCreatedAt: Date;
  userType: string;
  profileName: string | null;
  apiOnly: boolean;
}

export interface LoginNow {
  id: string;
  userId: string;
  isFrozen: boolean;
}

export interface AssignmentNow {
  sobject: 'PermissionSetLicenseAssign' | 'UserPackageLicense' | 'PermissionSetAssignment';
  id: string;
  userId: string;
  /** The license (or permission set) it grants: what a re-create needs besides the user. */
  grantId: string;
  /** PermissionSetAssignment only: the permission set license its permission set needs. */
  requiresLicenseId: string | null;
}

const userSchema = z.object({
  Id: z.string(),
  Username: z.string(),
  IsActive: z.boolean(),
  LastLoginDate: sfDate.nullish().transform((v) => v ?? null),
  CreatedDate: sfDate,
  UserType: z.string(),
  Profile: z
    .object({
      Name: nullableString,
      PermissionsApiUserOnly: flag,
    })
    .nullish()
    .transform((v) => v ?? null),
});
const loginSchema = z.object({ Id: z.string(), UserId: z.string(), IsFrozen: z.boolean() });
const pslAssignSchema = z.object({
  Id: z.string(),
  AssigneeId: z.string(),
  PermissionSetLicenseId: z.string(),
});
const packageAssignSchema = z.object({ Id: z.string(), UserId: z.string(), PackageLicenseId: z.string() });
const permissionSetAssignSchema = z.object({
  Id: z.string(),
  AssigneeId: z.string(),
  PermissionSetId: z.string(),
  PermissionSet: z
    .object({ LicenseId: nullableString })
    .nullish()
    .transform((v) => v ?? null),
});

/** Ids go into SOQL as quoted literals: keep only the characters an id can have. */
export const quoteIds = (ids: readonly string[]): string =>
  ids.map((id) => `'${id.replace(/[^0-9A-Za-z]/g, '')}'`).join(',');

async function readAll<T>(
  client: SalesforceOrgClient,
  ids: readonly string[],
  soql: (quoted: string) => string,
  schema: z.ZodType<T>,
): Promise<T[]> {
  const out: T[] = [];
  for (const part of chunk([...new Set(ids)], WRITE_BATCH)) {
    for await (const page of client.query(soql(quoteIds(part)), schema)) out.push(...page.records);
  }
  return out;
}

/** 15- and 18-character forms of one id compare equal. */
export const idKey = (id: string): string => id.slice(0, 15);

const usersSoql = (ids: string) =>
  `SELECT Id, Username, IsActive, LastLoginDate, CreatedDate, UserType, Profile.Name, Profile.PermissionsApiUserOnly FROM User WHERE Id IN (${ids})`;
const loginsSoql = (ids: string) => `SELECT Id, UserId, IsFrozen FROM UserLogin WHERE UserId IN (${ids})`;

const userNow = (u: z.infer<typeof userSchema>): UserNow => ({
  id: u.Id,
  username: u.Username,
  isActive: u.IsActive,
  lastLoginAt: u.LastLoginDate,
  userCreatedAt: u.CreatedDate,
  userType: u.UserType,
  profileName: u.Profile?.Name ?? null,
  apiOnly: u.Profile?.PermissionsApiUserOnly ?? false,
});

export interface UsersNow {
  users: Map<string, UserNow>;
  logins: Map<string, LoginNow>;
}

/**
 * The users and their logins as Salesforce has them now, both queries of a batch in one composite
 * call (`User` has no relationship to `UserLogin`, so one SOQL query cannot read both): one call
 * against the org's allowance per batch instead of two.
 */
export async function readUsersAndLogins(
  client: SalesforceOrgClient,
  userIds: readonly string[],
): Promise<UsersNow> {
  const out: UsersNow = { users: new Map(), logins: new Map() };
  for (const part of chunk([...new Set(userIds)], WRITE_BATCH)) {
    const ids = quoteIds(part);
    const [users, logins] = await client.queryTogether<
      [z.infer<typeof userSchema>, z.infer<typeof loginSchema>]
    >([
      { soql: usersSoql(ids), schema: userSchema },
      { soql: loginsSoql(ids), schema: loginSchema },
    ]);
    for (const u of users) out.users.set(idKey(u.Id), userNow(u));
    for (const l of logins)
      out.logins.set(idKey(l.UserId), { id: l.Id, userId: l.UserId, isFrozen: l.IsFrozen });
  }
  return out;
}

/**
 * The assignments with these ids that still exist, plus every permission set assignment of their
 * users whose permission set needs one of the permission set licenses being removed (Salesforce
 * refuses to remove the license first).
 */
export async function readAssignments(
  client: SalesforceOrgClient,
  assignmentIds: readonly string[],
): Promise<{ byId: Map<string, AssignmentNow>; dependents: AssignmentNow[] }> {
  const byId = new Map<string, AssignmentNow>();
  // Key prefixes: 2LA PermissionSetLicenseAssign, 051 UserPackageLicense.
  const psl = assignmentIds.filter((id) => id.startsWith('2LA'));
  const pkg = assignmentIds.filter((id) => id.startsWith('051'));
  if (psl.length > 0) {
    const rows = await readAll(
      client,
      psl,
      (ids) =>
        `SELECT Id, AssigneeId, PermissionSetLicenseId FROM PermissionSetLicenseAssign WHERE Id IN (${ids})`,
      pslAssignSchema,
    );
    for (const r of rows) {
      byId.set(idKey(r.Id), {
        sobject: 'PermissionSetLicenseAssign',
        id: r.Id,
        userId: r.AssigneeId,
        grantId: r.PermissionSetLicenseId,
        requiresLicenseId: null,
      });
    }
  }
  if (pkg.length > 0) {
    const rows = await readAll(
      client,
      pkg,
      (ids) => `SELECT Id, UserId, PackageLicenseId FROM UserPackageLicense WHERE Id IN (${ids})`,
      packageAssignSchema,
    );
    for (const r of rows) {
      byId.set(idKey(r.Id), {
        sobject: 'UserPackageLicense',
        id: r.Id,
        userId: r.UserId,
        grantId: r.PackageLicenseId,
        requiresLicenseId: null,
      });
    }
  }
  const licenses = [...byId.values()].filter((a) => a.sobject === 'PermissionSetLicenseAssign');
  if (licenses.length === 0) return { byId, dependents: [] };
  const needed = new Set(licenses.map((a) => `${idKey(a.userId)}|${idKey(a.grantId)}`));
  const rows = await readAll(
    client,
    licenses.map((a) => a.userId),
    (ids) =>
      `SELECT Id, AssigneeId, PermissionSetId, PermissionSet.LicenseId FROM PermissionSetAssignment WHERE AssigneeId IN (${ids})`,
    permissionSetAssignSchema,
  );
  const dependents = rows
    .filter(
      (r) =>
        r.PermissionSet?.LicenseId &&
        needed.has(`${idKey(r.AssigneeId)}|${idKey(r.PermissionSet.LicenseId)}`),
    )
    .map((r): AssignmentNow => ({
      sobject: 'PermissionSetAssignment',
      id: r.Id,
      userId: r.AssigneeId,
      grantId: r.PermissionSetId,
      requiresLicenseId: r.PermissionSet?.LicenseId ?? null,
    }));
  return { byId, dependents };
}
