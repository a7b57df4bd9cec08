/**
 * Ground truth for tests, computed from the same columns the API serves (one pass over the users):
 * what a correct client should end up knowing about the org.
 */
import type { AssignmentTable } from './assignmentTable.js';
import { PACKAGE_LICENSES, PERMISSION_SET_LICENSES, PROFILES, USER_LICENSES } from './licenseCatalog.js';
import type { DefaultOwnerRole } from './orgGenerator.js';
import { licenseOfUser, USER_FLAG } from './orgGenerator.js';
import { pslUsedLicenses } from './licenseCounting.js';
import type { PermissionSetOrgTruth, UserPermissionSetState } from './permissionSetTruth.js';
import { licenseInUseBy, permissionSetOrgTruth, userPermissionSetState } from './permissionSetTruth.js';
import { DAY_MS, formatRestDateTime } from './salesforceDates.js';
import { KEY_PREFIXES, makeId, normalizeId } from './salesforceIds.js';
import type { SimOrg } from './simOrg.js';
import { ADMIN_USER_INDEX } from './simOrg.js';
import { username } from '../sobjects/sobjectTables.js';

/** Days since last login, measured from the org's fixed now: [0,30), [30,90), [90,365), 365+. */
export interface LastLoginBuckets {
  never: number;
  last30Days: number;
  days30To90: number;
  days90To365: number;
  over365Days: number;
}

export interface LicenseTruth {
  id: string;
  name: string;
  licenseDefinitionKey: string;
  status: string;
  totalLicenses: number;
  /** = activeUsers, which is what UsedLicenses reports. */
  usedLicenses: number;
  activeUsers: number;
  inactiveUsers: number;
}

export interface AssignableLicenseTruth {
  id: string;
  name: string;
  total: number;
  /** Assignments count whether or not the assignee is active (deactivation does not free them). */
  usedLicenses: number;
  assignments: number;
  activeAssignees: number;
}

export interface OrgTruth extends PermissionSetOrgTruth {
  orgId: string;
  now: string;
  adminUserId: string;
  adminUsername: string;
  users: number;
  activeUsers: number;
  inactiveUsers: number;
  frozenUsers: number;
  licenses: LicenseTruth[];
  usersByUserType: Record<string, { active: number; inactive: number }>;
  lastLogin: { active: LastLoginBuckets; inactive: LastLoginBuckets };
  /** Never logged in and created fewer than 30 days ago (inside a typical grace period). */
  neverLoggedInCreatedWithin30Days: number;
  featureLicenses: Record<
    'supportUser' | 'marketingUser' | 'knowledgeUser' | 'interactionUser' | 'sfContentUser',
    number
  >;
  permissionSetLicenses: AssignableLicenseTruth[];
  packageLicenses: AssignableLicenseTruth[];
  permissionSetLicenseAssignments: number;
  packageLicenseAssignments: number;
  defaultOwnerUserIds: string[];
  defaultOwners: { userId: string; role: DefaultOwnerRole }[];
  apiUsage: { used: number; max: number };
}

export interface UserState extends UserPermissionSetState {
  id: string;
  index: number;
  username: string;
  isActive: boolean;
  isFrozen: boolean;
  userType: string;
  profile: string;
  licenseDefinitionKey: string;
  lastLoginDate: string | null;
  createdDate: string;
  isAdmin: boolean;
  defaultOwnerRole: DefaultOwnerRole | null;
  featureLicenses: string[];
  permissionSetLicenseAssignments: {
    id: string;
    developerName: string;
    permissionSetLicenseId: string;
    /** A permission set the user holds needs this license: deleting the assignment is refused. */
    inUse: boolean;
  }[];
  packageLicenseAssignments: { id: string; namespacePrefix: string }[];
  changedThroughApi: boolean;
  /** The user's UserLogin record (what a freeze writes). */
  userLoginId: string;
}

const emptyBuckets = (): LastLoginBuckets => ({
  never: 0,
  last30Days: 0,
  days30To90: 0,
  days90To365: 0,
  over365Days: 0,
});

function bucketOf(lastLogin: number, nowMs: number): keyof LastLoginBuckets {
  if (Number.isNaN(lastLogin)) return 'never';
  const days = (nowMs - lastLogin) / DAY_MS;
  if (days < 30) return 'last30Days';
  if (days < 90) return 'days30To90';
  return days < 365 ? 'days90To365' : 'over365Days';
}

const FEATURE_BITS = {
  supportUser: USER_FLAG.supportUser,
  marketingUser: USER_FLAG.marketingUser,
  knowledgeUser: USER_FLAG.knowledgeUser,
  interactionUser: USER_FLAG.interactionUser,
  sfContentUser: USER_FLAG.sfContentUser,
} as const;

function assignableTruth(
  org: SimOrg,
  table: AssignmentTable,
  names: string[],
  totals: number[],
  used: number[],
  prefix: string,
): AssignableLicenseTruth[] {
  const result = names.map((name, k) => ({
    id: makeId(prefix, org.data.idSpace, k + 1),
    name,
    total: totals[k] ?? 0,
    usedLicenses: used[k] ?? 0,
    assignments: 0,
    activeAssignees: 0,
  }));
  for (let row = 0; row < table.count; row += 1) {
    const entry = result[table.item[row] ?? 0];
    if (!entry || table.deleted[row]) continue;
    entry.assignments += 1;
    if ((org.data.flags[table.user[row] ?? 0] ?? 0) & USER_FLAG.active) entry.activeAssignees += 1;
  }
  return result;
}

export function computeTruth(org: SimOrg): OrgTruth {
  const { data } = org;
  const licenseCounts = USER_LICENSES.map(() => ({ active: 0, inactive: 0 }));
  const usersByUserType: OrgTruth['usersByUserType'] = {};
  const lastLogin = { active: emptyBuckets(), inactive: emptyBuckets() };
  const featureLicenses = {
    supportUser: 0,
    marketingUser: 0,
    knowledgeUser: 0,
    interactionUser: 0,
    sfContentUser: 0,
  };
  let active = 0;
  let frozen = 0;
  let newNeverLoggedIn = 0;
  for (let user = 0; user < data.userCount; user += 1) {
    const flags = data.flags[user] ?? 0;
    const isActive = (flags & USER_FLAG.active) !== 0;
    const state = isActive ? 'active' : 'inactive';
    const license = licenseOfUser(data, user);
    const counts = licenseCounts[license];
    if (counts) counts[state] += 1;
    const userType = USER_LICENSES[license]?.userType ?? 'Standard';
    usersByUserType[userType] ??= { active: 0, inactive: 0 };
    usersByUserType[userType][state] += 1;
    const login = data.lastLogin[user] ?? Number.NaN;
    lastLogin[state][bucketOf(login, data.nowMs)] += 1;
    if (Number.isNaN(login) && data.nowMs - (data.created[user] ?? 0) < 30 * DAY_MS) newNeverLoggedIn += 1;
    if (isActive) active += 1;
    if (flags & USER_FLAG.frozen) frozen += 1;
    if (isActive) {
      for (const [name, bit] of Object.entries(FEATURE_BITS)) {
        if (flags & bit) featureLicenses[name as keyof typeof FEATURE_BITS] += 1;
      }
    }
  }
  const userId = (index: number): string => makeId(KEY_PREFIXES.User, data.idSpace, index + 1);
  const permissionSetLicenses = assignableTruth(
    org,
    data.psl,
    PERMISSION_SET_LICENSES.map((p) => p.developerName),
    data.pslTotals,
    PERMISSION_SET_LICENSES.map((_, k) => pslUsedLicenses(data, k)),
    KEY_PREFIXES.PermissionSetLicense,
  );
  const packageLicenses = assignableTruth(
    org,
    data.pkg,
    PACKAGE_LICENSES.map((p) => p.namespacePrefix),
    data.pkgAllowed,
    data.pkgUsed,
    KEY_PREFIXES.PackageLicense,
  );
  const defaultOwners = [...data.defaultOwners].map(([index, role]) => ({ userId: userId(index), role }));
  return {
    orgId: org.orgId,
    now: formatRestDateTime(data.nowMs),
    adminUserId: org.adminUserId,
    adminUsername: org.adminUsername,
    users: data.userCount,
    activeUsers: active,
    inactiveUsers: data.userCount - active,
    frozenUsers: frozen,
    licenses: USER_LICENSES.map((l, k) => ({
      id: makeId(KEY_PREFIXES.UserLicense, data.idSpace, k + 1),
      name: l.name,
      licenseDefinitionKey: l.key,
      status: l.status,
      totalLicenses: data.licenseTotals[k] ?? 0,
      usedLicenses: data.licenseActive[k] ?? 0,
      activeUsers: licenseCounts[k]?.active ?? 0,
      inactiveUsers: licenseCounts[k]?.inactive ?? 0,
    })),
    usersByUserType,
    lastLogin,
    neverLoggedInCreatedWithin30Days: newNeverLoggedIn,
    featureLicenses,
    permissionSetLicenses,
    packageLicenses,
    permissionSetLicenseAssignments: permissionSetLicenses.reduce((sum, p) => sum + p.assignments, 0),
    packageLicenseAssignments: packageLicenses.reduce((sum, p) => sum + p.assignments, 0),
    defaultOwnerUserIds: defaultOwners.map((o) => o.userId),
    defaultOwners,
    apiUsage: { used: org.limits.used, max: org.limits.max },
    ...permissionSetOrgTruth(org),
  };
}

export function userState(org: SimOrg, rawId: string): UserState | undefined {
  const id = normalizeId(rawId);
  const user = id ? (org.tables.get('user')?.rowOfId(id) ?? -1) : -1;
  if (!id || user < 0) return undefined;
  const { data } = org;
  const flags = data.flags[user] ?? 0;
  const license = USER_LICENSES[licenseOfUser(data, user)];
  const login = data.lastLogin[user] ?? Number.NaN;
  return {
    id,
    index: user,
    username: username(data, user),
    isActive: (flags & USER_FLAG.active) !== 0,
    isFrozen: (flags & USER_FLAG.frozen) !== 0,
    userType: license?.userType ?? 'Standard',
    profile: PROFILES[data.profileOf[user] ?? 0]?.name ?? '',
    licenseDefinitionKey: license?.key ?? '',
    lastLoginDate: Number.isNaN(login) ? null : formatRestDateTime(login),
    createdDate: formatRestDateTime(data.created[user] ?? 0),
    isAdmin: user === ADMIN_USER_INDEX,
    defaultOwnerRole: data.defaultOwners.get(user) ?? null,
    featureLicenses: Object.entries(FEATURE_BITS).flatMap(([name, bit]) => (flags & bit ? [name] : [])),
    permissionSetLicenseAssignments: data.psl.liveRowsOf(user).map((row) => {
      const psl = data.psl.item[row] ?? 0;
      return {
        id: makeId(KEY_PREFIXES.PermissionSetLicenseAssign, data.idSpace, row + 1),
        developerName: PERMISSION_SET_LICENSES[psl]?.developerName ?? '',
        permissionSetLicenseId: makeId(KEY_PREFIXES.PermissionSetLicense, data.idSpace, psl + 1),
        inUse: licenseInUseBy(org, user, psl),
      };
    }),
    packageLicenseAssignments: data.pkg.liveRowsOf(user).map((row) => ({
      id: makeId(KEY_PREFIXES.UserPackageLicense, data.idSpace, row + 1),
      namespacePrefix: PACKAGE_LICENSES[data.pkg.item[row] ?? 0]?.namespacePrefix ?? '',
    })),
    ...userPermissionSetState(org, user),
    changedThroughApi: data.touched.has(user),
    userLoginId: makeId(KEY_PREFIXES.UserLogin, data.idSpace, user + 1),
  };
}
