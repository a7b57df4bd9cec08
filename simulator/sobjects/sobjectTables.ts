/** The queryable objects of one generated org, read live from its columns. */
import {
  PACKAGE_LICENSES,
  PERMISSION_SET_LICENSES,
  PROFILES,
  TENANT_USAGE_ENTITLEMENTS,
  USER_LICENSES,
} from '../org/licenseCatalog.js';
import type { OrgData } from '../org/orgGenerator.js';
import { licenseOfUser, managerOf, USER_FLAG } from '../org/orgGenerator.js';
import { pslUsedLicenses } from '../org/licenseCounting.js';
import { permissionSetAssignmentTable, permissionSetTable } from './permissionSets.js';
import { DAY_MS, startOfUtcDay } from '../org/salesforceDates.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';
import type { FieldValue, SObjectTable, TableRegistry } from './sobjectSchema.js';
import { defineTable } from './sobjectSchema.js';
import { firstNameOf, lastNameOf, mailboxOf } from '../org/userNames.js';
import { hash32 } from '../org/seededRandom.js';

export interface TableOptions {
  tenantUsageEntitlement: boolean;
}

const idFor = (org: OrgData, prefix: string, row: number): string => makeId(prefix, org.idSpace, row + 1);
const refOrNull = (org: OrgData, prefix: string, row: number): string | null =>
  row < 0 ? null : idFor(org, prefix, row);
const dateOrNull = (ms: number | undefined): number | null =>
  ms === undefined || Number.isNaN(ms) ? null : ms;
const daysFromNow = (org: OrgData, days: number | null): number | null =>
  days === null ? null : startOfUtcDay(org.nowMs) + days * DAY_MS;

export function firstName(org: OrgData, user: number): string {
  const override = org.textOverrides.get(user)?.FirstName;
  if (override !== undefined) return override;
  if (user === 0) return 'Org';
  if (user === 1) return 'Integration';
  return firstNameOf(org.seed, user);
}

export function lastName(org: OrgData, user: number): string {
  const override = org.textOverrides.get(user)?.LastName;
  if (override !== undefined) return override;
  if (user === 0) return 'Admin';
  if (user === 1) return 'User';
  return lastNameOf(org.seed, user);
}

export function username(org: OrgData, user: number): string {
  const local = user === 0 ? 'admin' : user === 1 ? 'integration' : mailboxOf(org.seed, user);
  return `${local}@${org.domain}.example.com`;
}

function email(org: OrgData, user: number): string {
  return (
    org.textOverrides.get(user)?.Email ??
    (user < 2 ? username(org, user) : `${mailboxOf(org.seed, user)}@example.com`)
  );
}

/**
 * The single sign-on id: most generated users have one (an employee number), the admin, the
 * integration user and about a fifth of the others sign in with a password and have none.
 */
function federationIdentifier(org: OrgData, user: number): string | null {
  const override = org.textOverrides.get(user)?.FederationIdentifier;
  if (override !== undefined) return override === '' ? null : override;
  if (user < 2 || hash32(org.seed, user, 103) % 5 === 0) return null;
  return `E${String(hash32(org.seed, user, 104) % 10_000_000).padStart(7, '0')}`;
}

function flag(org: OrgData, bit: number): (row: number) => boolean {
  return (row) => ((org.flags[row] ?? 0) & bit) !== 0;
}

function userTable(org: OrgData): SObjectTable {
  const permission = (name: string, bit: number) =>
    ({ name, type: 'boolean', get: flag(org, bit), updateable: true }) as const;
  return defineTable({
    name: 'User',
    keyPrefix: KEY_PREFIXES.User,
    idSpace: org.idSpace,
    size: () => org.userCount,
    updateable: true,
    fields: [
      { name: 'Username', type: 'string', get: (r) => username(org, r) },
      { name: 'Name', type: 'string', get: (r) => `${firstName(org, r)} ${lastName(org, r)}` },
      { name: 'FirstName', type: 'string', get: (r) => firstName(org, r), updateable: true },
      { name: 'LastName', type: 'string', get: (r) => lastName(org, r), updateable: true, nillable: false },
      { name: 'Email', type: 'email', get: (r) => email(org, r), updateable: true, nillable: false },
      {
        name: 'FederationIdentifier',
        label: 'Federation ID',
        type: 'string',
        get: (r) => federationIdentifier(org, r),
        updateable: true,
      },
      {
        name: 'IsActive',
        label: 'Active',
        type: 'boolean',
        get: flag(org, USER_FLAG.active),
        updateable: true,
      },
      {
        name: 'UserType',
        type: 'picklist',
        get: (r) => USER_LICENSES[licenseOfUser(org, r)]?.userType ?? 'Standard',
      },
      { name: 'LastLoginDate', type: 'datetime', get: (r) => dateOrNull(org.lastLogin[r]) },
      { name: 'CreatedDate', type: 'datetime', get: (r) => dateOrNull(org.created[r]), nillable: false },
      {
        name: 'ProfileId',
        type: 'reference',
        referenceTo: 'Profile',
        relationshipName: 'Profile',
        get: (r) => idFor(org, KEY_PREFIXES.Profile, org.profileOf[r] ?? 0),
      },
      {
        name: 'ManagerId',
        type: 'reference',
        referenceTo: 'User',
        relationshipName: 'Manager',
        get: (r) => refOrNull(org, KEY_PREFIXES.User, managerOf(org, r)),
      },
      permission('UserPermissionsSupportUser', USER_FLAG.supportUser),
      permission('UserPermissionsMarketingUser', USER_FLAG.marketingUser),
      permission('UserPermissionsKnowledgeUser', USER_FLAG.knowledgeUser),
      permission('UserPermissionsInteractionUser', USER_FLAG.interactionUser),
      permission('UserPermissionsSFContentUser', USER_FLAG.sfContentUser),
    ],
    relationships: [
      { name: 'Profile', target: 'Profile', rowOf: (r) => org.profileOf[r] ?? 0 },
      { name: 'Manager', target: 'User', rowOf: (r) => managerOf(org, r) },
    ],
  });
}

function profileTable(org: OrgData): SObjectTable {
  const licenseOf = (r: number): number => PROFILES[r]?.license ?? 0;
  return defineTable({
    name: 'Profile',
    keyPrefix: KEY_PREFIXES.Profile,
    idSpace: org.idSpace,
    size: () => PROFILES.length,
    fields: [
      { name: 'Name', type: 'string', get: (r) => PROFILES[r]?.name ?? null, nillable: false },
      {
        name: 'UserLicenseId',
        type: 'reference',
        referenceTo: 'UserLicense',
        relationshipName: 'UserLicense',
        get: (r) => idFor(org, KEY_PREFIXES.UserLicense, licenseOf(r)),
      },
      { name: 'UserType', type: 'picklist', get: (r) => USER_LICENSES[licenseOf(r)]?.userType ?? null },
      { name: 'PermissionsApiUserOnly', type: 'boolean', get: (r) => PROFILES[r]?.apiOnly === true },
    ],
    relationships: [{ name: 'UserLicense', target: 'UserLicense', rowOf: licenseOf }],
  });
}

function userLicenseTable(org: OrgData): SObjectTable {
  const def = (r: number) => USER_LICENSES[r];
  return defineTable({
    name: 'UserLicense',
    label: 'User License',
    keyPrefix: KEY_PREFIXES.UserLicense,
    idSpace: org.idSpace,
    size: () => USER_LICENSES.length,
    fields: [
      { name: 'Name', type: 'string', get: (r) => def(r)?.name ?? null },
      { name: 'MasterLabel', type: 'string', get: (r) => def(r)?.name ?? null },
      { name: 'LicenseDefinitionKey', type: 'string', get: (r) => def(r)?.key ?? null },
      { name: 'Status', type: 'picklist', get: (r) => def(r)?.status ?? null },
      { name: 'TotalLicenses', type: 'int', get: (r) => org.licenseTotals[r] ?? 0 },
      { name: 'UsedLicenses', type: 'int', get: (r) => org.licenseActive[r] ?? 0 },
    ],
  });
}

function permissionSetLicenseTable(org: OrgData): SObjectTable {
  const def = (r: number) => PERMISSION_SET_LICENSES[r];
  return defineTable({
    name: 'PermissionSetLicense',
    keyPrefix: KEY_PREFIXES.PermissionSetLicense,
    idSpace: org.idSpace,
    size: () => PERMISSION_SET_LICENSES.length,
    fields: [
      { name: 'DeveloperName', type: 'string', get: (r) => def(r)?.developerName ?? null },
      { name: 'MasterLabel', type: 'string', get: (r) => def(r)?.masterLabel ?? null },
      { name: 'Status', type: 'picklist', get: (r) => def(r)?.status ?? null },
      { name: 'TotalLicenses', type: 'int', get: (r) => org.pslTotals[r] ?? 0 },
      { name: 'UsedLicenses', type: 'int', get: (r) => pslUsedLicenses(org, r) },
      { name: 'ExpirationDate', type: 'date', get: (r) => daysFromNow(org, def(r)?.expiresInDays ?? null) },
    ],
  });
}

function permissionSetLicenseAssignTable(org: OrgData): SObjectTable {
  const table = org.psl;
  return defineTable({
    name: 'PermissionSetLicenseAssign',
    label: 'Permission Set License Assignment',
    keyPrefix: KEY_PREFIXES.PermissionSetLicenseAssign,
    idSpace: org.idSpace,
    size: () => table.count,
    isLive: (r) => table.isLive(r),
    createable: true,
    deletable: true,
    fields: [
      {
        name: 'AssigneeId',
        label: 'Assignee ID',
        type: 'reference',
        referenceTo: 'User',
        relationshipName: 'Assignee',
        get: (r) => idFor(org, KEY_PREFIXES.User, table.user[r] ?? 0),
        createable: true,
        nillable: false,
      },
      {
        name: 'PermissionSetLicenseId',
        label: 'Permission Set License ID',
        type: 'reference',
        referenceTo: 'PermissionSetLicense',
        relationshipName: 'PermissionSetLicense',
        get: (r) => idFor(org, KEY_PREFIXES.PermissionSetLicense, table.item[r] ?? 0),
        createable: true,
        nillable: false,
      },
    ],
    relationships: [
      { name: 'Assignee', target: 'User', rowOf: (r) => table.user[r] ?? -1 },
      { name: 'PermissionSetLicense', target: 'PermissionSetLicense', rowOf: (r) => table.item[r] ?? -1 },
    ],
  });
}

function packageLicenseTable(org: OrgData): SObjectTable {
  const def = (r: number) => PACKAGE_LICENSES[r];
  return defineTable({
    name: 'PackageLicense',
    keyPrefix: KEY_PREFIXES.PackageLicense,
    idSpace: org.idSpace,
    size: () => PACKAGE_LICENSES.length,
    fields: [
      { name: 'NamespacePrefix', type: 'string', get: (r) => def(r)?.namespacePrefix ?? null },
      { name: 'AllowedLicenses', type: 'int', get: (r) => org.pkgAllowed[r] ?? 0 },
      { name: 'UsedLicenses', type: 'int', get: (r) => org.pkgUsed[r] ?? 0 },
      { name: 'Status', type: 'picklist', get: (r) => def(r)?.status ?? null },
      { name: 'IsProvisioned', type: 'boolean', get: () => true },
      {
        name: 'ExpirationDate',
        type: 'datetime',
        get: (r) => daysFromNow(org, def(r)?.expiresInDays ?? null),
      },
    ],
  });
}

function userPackageLicenseTable(org: OrgData): SObjectTable {
  const table = org.pkg;
  return defineTable({
    name: 'UserPackageLicense',
    label: 'User Package License',
    keyPrefix: KEY_PREFIXES.UserPackageLicense,
    idSpace: org.idSpace,
    size: () => table.count,
    isLive: (r) => table.isLive(r),
    createable: true,
    deletable: true,
    fields: [
      {
        name: 'UserId',
        label: 'User ID',
        type: 'reference',
        referenceTo: 'User',
        relationshipName: 'User',
        get: (r) => idFor(org, KEY_PREFIXES.User, table.user[r] ?? 0),
        createable: true,
        nillable: false,
      },
      {
        name: 'PackageLicenseId',
        label: 'Package License ID',
        type: 'reference',
        referenceTo: 'PackageLicense',
        relationshipName: 'PackageLicense',
        get: (r) => idFor(org, KEY_PREFIXES.PackageLicense, table.item[r] ?? 0),
        createable: true,
        nillable: false,
      },
    ],
    relationships: [
      { name: 'User', target: 'User', rowOf: (r) => table.user[r] ?? -1 },
      { name: 'PackageLicense', target: 'PackageLicense', rowOf: (r) => table.item[r] ?? -1 },
    ],
  });
}

function userLoginTable(org: OrgData): SObjectTable {
  return defineTable({
    name: 'UserLogin',
    keyPrefix: KEY_PREFIXES.UserLogin,
    idSpace: org.idSpace,
    size: () => org.userCount,
    updateable: true,
    fields: [
      {
        name: 'UserId',
        type: 'reference',
        referenceTo: 'User',
        get: (r) => idFor(org, KEY_PREFIXES.User, r),
      },
      { name: 'IsFrozen', type: 'boolean', get: flag(org, USER_FLAG.frozen), updateable: true },
      { name: 'IsPasswordLocked', type: 'boolean', get: () => false },
    ],
  });
}

function loginHistoryTable(org: OrgData): SObjectTable {
  const user = (r: number): number => org.loginHistoryUsers[r] ?? 0;
  return defineTable({
    name: 'LoginHistory',
    keyPrefix: KEY_PREFIXES.LoginHistory,
    idSpace: org.idSpace,
    size: () => org.loginHistoryUsers.length,
    fields: [
      {
        name: 'UserId',
        type: 'reference',
        referenceTo: 'User',
        get: (r) => idFor(org, KEY_PREFIXES.User, user(r)),
      },
      { name: 'LoginTime', type: 'datetime', get: (r) => dateOrNull(org.lastLogin[user(r)]) },
      {
        name: 'LoginType',
        type: 'picklist',
        get: (r) => (user(r) < 2 ? 'Remote Access 2.0' : 'Application'),
      },
      { name: 'Application', type: 'string', get: (r) => (user(r) < 2 ? 'seatwise' : 'Browser') },
      { name: 'Status', type: 'string', get: () => 'Success' },
      { name: 'SourceIp', type: 'string', get: (r) => `10.0.${user(r) % 250}.${(user(r) * 7) % 250}` },
    ],
  });
}

function tenantUsageEntitlementTable(org: OrgData): SObjectTable {
  const def = (r: number) => TENANT_USAGE_ENTITLEMENTS[r];
  const today = startOfUtcDay(org.nowMs);
  // StartDate begins the contract and EndDate ends it (its last day, for every Frequency); the
  // current billing window is derived from them by the client (simulator/README.md).
  const startDate = (r: number): number | null => {
    const d = def(r);
    return d ? today - d.startDaysAgo * DAY_MS : null;
  };
  const endDate = (r: number): number | null => {
    const d = def(r);
    const start = startDate(r);
    if (!d || start === null) return null;
    const s = new Date(start);
    return Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + d.contractMonths, s.getUTCDate()) - DAY_MS;
  };
  const amountUsed = (r: number): FieldValue => def(r)?.used ?? null;
  return defineTable({
    name: 'TenantUsageEntitlement',
    keyPrefix: KEY_PREFIXES.TenantUsageEntitlement,
    idSpace: org.idSpace,
    size: () => TENANT_USAGE_ENTITLEMENTS.length,
    fields: [
      // Observed on live orgs: MasterLabel can be selected but neither filtered nor sorted.
      {
        name: 'MasterLabel',
        type: 'string',
        get: (r) => def(r)?.masterLabel ?? null,
        filterable: false,
        sortable: false,
      },
      { name: 'ResourceGroupKey', type: 'string', get: () => '(tenant)' },
      { name: 'Setting', type: 'string', get: (r) => def(r)?.setting ?? null },
      { name: 'StartDate', type: 'date', get: startDate },
      { name: 'EndDate', type: 'date', get: endDate },
      { name: 'CurrentAmountAllowed', type: 'double', get: (r) => def(r)?.allowed ?? null },
      { name: 'AmountUsed', type: 'double', get: amountUsed },
      { name: 'UsageDate', type: 'datetime', get: () => org.nowMs },
      { name: 'Frequency', type: 'picklist', get: (r) => def(r)?.frequency ?? null },
      { name: 'IsPersistentResource', type: 'boolean', get: (r) => def(r)?.persistent ?? false },
    ],
  });
}

export function buildTables(org: OrgData, options: TableOptions): TableRegistry {
  const tables = [
    userTable(org),
    profileTable(org),
    userLicenseTable(org),
    permissionSetLicenseTable(org),
    permissionSetLicenseAssignTable(org),
    permissionSetTable(org),
    permissionSetAssignmentTable(org),
    packageLicenseTable(org),
    userPackageLicenseTable(org),
    userLoginTable(org),
    loginHistoryTable(org),
    ...(options.tenantUsageEntitlement ? [tenantUsageEntitlementTable(org)] : []),
  ];
  return new Map(tables.map((t) => [t.name.toLowerCase(), t]));
}
