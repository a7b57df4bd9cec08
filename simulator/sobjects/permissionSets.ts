/**
 * PermissionSet and PermissionSetAssignment. As on Salesforce, every profile owns a permission set
 * (IsOwnedByProfile = true, LicenseId = the profile's user license) and every user holds an
 * assignment to their profile's set; those assignments are implied by the user's profile, so they
 * cost no memory: PermissionSetAssignment rows [0, users) are the profile-owned ones (row = user),
 * rows from `users` on are the explicit assignments in `OrgData.psa`.
 */
import { PROFILES } from '../org/licenseCatalog.js';
import type { OrgData } from '../org/orgGenerator.js';
import { PERMISSION_SETS } from '../org/permissionSetCatalog.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';
import type { SObjectTable } from './sobjectSchema.js';
import { defineTable } from './sobjectSchema.js';

/** Custom sets come first, then one profile-owned set per profile. */
export const CUSTOM_SET_COUNT = PERMISSION_SETS.length;
const SET_COUNT = CUSTOM_SET_COUNT + PROFILES.length;

const profileOfSet = (set: number): number => (set >= CUSTOM_SET_COUNT ? set - CUSTOM_SET_COUNT : -1);
const idFor = (org: OrgData, prefix: string, row: number): string => makeId(prefix, org.idSpace, row + 1);

export function isProfileOwnedSet(set: number): boolean {
  return set >= CUSTOM_SET_COUNT;
}

/** The permission set license the set's permissions need, whether or not LicenseId shows it. */
export function requiredPslOf(set: number): number | null {
  return PERMISSION_SETS[set]?.requiresPsl ?? null;
}

export function setLabel(set: number): string {
  return PERMISSION_SETS[set]?.label ?? `Profile ${PROFILES[profileOfSet(set)]?.name ?? ''}`;
}

export function permissionSetId(org: OrgData, set: number): string {
  return idFor(org, KEY_PREFIXES.PermissionSet, set);
}

/** Row of PermissionSetAssignment for explicit row `row` of `OrgData.psa`. */
export function assignmentTableRow(org: OrgData, row: number): number {
  return org.userCount + row;
}

export function assignmentId(org: OrgData, tableRow: number): string {
  return idFor(org, KEY_PREFIXES.PermissionSetAssignment, tableRow);
}

/** Set of a PermissionSetAssignment row (profile-owned rows map to the user's profile set). */
export function setOfAssignment(org: OrgData, tableRow: number): number {
  if (tableRow < org.userCount) return CUSTOM_SET_COUNT + (org.profileOf[tableRow] ?? 0);
  return org.psa.item[tableRow - org.userCount] ?? 0;
}

export function assigneeOfAssignment(org: OrgData, tableRow: number): number {
  return tableRow < org.userCount ? tableRow : (org.psa.user[tableRow - org.userCount] ?? 0);
}

/** The user's live explicit assignments whose set needs permission set license `psl`. */
export function assignmentsNeedingPsl(org: OrgData, user: number, psl: number): number[] {
  return org.psa.liveRowsOf(user).filter((row) => requiredPslOf(org.psa.item[row] ?? 0) === psl);
}

function licenseIdOf(org: OrgData, set: number): string | null {
  const profile = profileOfSet(set);
  if (profile >= 0) return idFor(org, KEY_PREFIXES.UserLicense, PROFILES[profile]?.license ?? 0);
  const psl = PERMISSION_SETS[set]?.licensePsl ?? null;
  return psl === null ? null : idFor(org, KEY_PREFIXES.PermissionSetLicense, psl);
}

export function permissionSetTable(org: OrgData): SObjectTable {
  const profileId15 = (set: number): string =>
    idFor(org, KEY_PREFIXES.Profile, profileOfSet(set)).slice(0, 15);
  return defineTable({
    name: 'PermissionSet',
    label: 'Permission Set',
    keyPrefix: KEY_PREFIXES.PermissionSet,
    idSpace: org.idSpace,
    size: () => SET_COUNT,
    fields: [
      {
        name: 'Name',
        type: 'string',
        get: (r) => PERMISSION_SETS[r]?.name ?? `X${profileId15(r)}`,
        nillable: false,
      },
      {
        name: 'Label',
        type: 'string',
        get: (r) => PERMISSION_SETS[r]?.label ?? profileId15(r),
        nillable: false,
      },
      {
        name: 'NamespacePrefix',
        type: 'string',
        get: (r) => PERMISSION_SETS[r]?.namespacePrefix ?? null,
      },
      // Polymorphic on Salesforce (PermissionSetLicense or UserLicense): no relationship path here.
      { name: 'LicenseId', label: 'License ID', type: 'reference', get: (r) => licenseIdOf(org, r) },
      { name: 'IsOwnedByProfile', type: 'boolean', get: (r) => isProfileOwnedSet(r) },
      {
        name: 'ProfileId',
        type: 'reference',
        referenceTo: 'Profile',
        relationshipName: 'Profile',
        get: (r) => (isProfileOwnedSet(r) ? idFor(org, KEY_PREFIXES.Profile, profileOfSet(r)) : null),
      },
    ],
    relationships: [{ name: 'Profile', target: 'Profile', rowOf: profileOfSet }],
  });
}

export function permissionSetAssignmentTable(org: OrgData): SObjectTable {
  const explicit = org.psa;
  return defineTable({
    name: 'PermissionSetAssignment',
    label: 'Permission Set Assignment',
    keyPrefix: KEY_PREFIXES.PermissionSetAssignment,
    idSpace: org.idSpace,
    size: () => org.userCount + explicit.count,
    isLive: (r) => r < org.userCount || explicit.isLive(r - org.userCount),
    createable: true,
    deletable: true,
    fields: [
      {
        name: 'AssigneeId',
        label: 'Assignee ID',
        type: 'reference',
        referenceTo: 'User',
        relationshipName: 'Assignee',
        get: (r) => idFor(org, KEY_PREFIXES.User, assigneeOfAssignment(org, r)),
        createable: true,
        nillable: false,
      },
      {
        name: 'PermissionSetId',
        label: 'Permission Set ID',
        type: 'reference',
        referenceTo: 'PermissionSet',
        relationshipName: 'PermissionSet',
        get: (r) => permissionSetId(org, setOfAssignment(org, r)),
        createable: true,
        nillable: false,
      },
    ],
    relationships: [
      { name: 'Assignee', target: 'User', rowOf: (r) => assigneeOfAssignment(org, r) },
      { name: 'PermissionSet', target: 'PermissionSet', rowOf: (r) => setOfAssignment(org, r) },
    ],
  });
}
