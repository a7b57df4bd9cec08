/**
 * Ground truth about permission sets and deactivation blockers, for tests: what a correct client
 * should find, and which writes Salesforce would refuse.
 */
import type { DeactivationBlocker } from '../sobjects/deactivationBlockers.js';
import { blockersOf, refusalOf } from '../sobjects/deactivationBlockers.js';
import { GUEST_LICENSE } from './licenseCatalog.js';
import { licenseOfUser } from './orgGenerator.js';
import { PERMISSION_SETS } from './permissionSetCatalog.js';
import {
  assignmentId,
  assignmentsNeedingPsl,
  assignmentTableRow,
  CUSTOM_SET_COUNT,
  permissionSetId,
  requiredPslOf,
} from '../sobjects/permissionSets.js';
import { KEY_PREFIXES, makeId } from './salesforceIds.js';
import type { SimOrg } from './simOrg.js';

export interface PermissionSetTruth {
  id: string;
  name: string;
  /** What the LicenseId field shows (null = --None--). */
  licenseId: string | null;
  /** The permission set license the set needs, even where LicenseId does not show it. */
  requiredLicenseId: string | null;
  assignments: number;
}

export interface PermissionSetAssignmentState {
  id: string;
  permissionSetId: string;
  permissionSetName: string;
  licenseId: string | null;
  requiredLicenseId: string | null;
}

export interface DeactivationBlockerState {
  blocker: DeactivationBlocker;
  statusCode: string;
  message: string;
}

export interface PermissionSetOrgTruth {
  /** Custom and packaged sets (profile-owned sets are one per profile and held by its users). */
  permissionSets: PermissionSetTruth[];
  /** Live explicit assignments (the one profile-owned assignment per user is not counted). */
  permissionSetAssignments: number;
  /** Permission set license assignments whose assignee holds a set that needs them (delete refused). */
  permissionSetLicenseAssignmentsInUse: number;
  /** Users Salesforce refuses to deactivate (whoever calls), with why. */
  deactivationBlockers: { userId: string; blockers: DeactivationBlocker[] }[];
}

const pslId = (org: SimOrg, psl: number | null): string | null =>
  psl === null ? null : makeId(KEY_PREFIXES.PermissionSetLicense, org.data.idSpace, psl + 1);

export function permissionSetOrgTruth(org: SimOrg): PermissionSetOrgTruth {
  const { data } = org;
  const counts = data.psa.liveCountPerItem(CUSTOM_SET_COUNT);
  let inUse = 0;
  for (let row = 0; row < data.psl.count; row += 1) {
    if (!data.psl.isLive(row)) continue;
    if (assignmentsNeedingPsl(data, data.psl.user[row] ?? 0, data.psl.item[row] ?? 0).length > 0) inUse += 1;
  }
  const deactivationBlockers: PermissionSetOrgTruth['deactivationBlockers'] = [];
  for (let user = 0; user < data.userCount; user += 1) {
    const blockers = blockersOf(data, user, licenseOfUser(data, user) === GUEST_LICENSE);
    if (blockers.length > 0) {
      deactivationBlockers.push({ userId: makeId(KEY_PREFIXES.User, data.idSpace, user + 1), blockers });
    }
  }
  return {
    permissionSets: PERMISSION_SETS.map((ps, set) => ({
      id: permissionSetId(data, set),
      name: ps.name,
      licenseId: pslId(org, ps.licensePsl),
      requiredLicenseId: pslId(org, ps.requiresPsl),
      assignments: counts[set] ?? 0,
    })),
    permissionSetAssignments: counts.reduce((sum, n) => sum + n, 0),
    permissionSetLicenseAssignmentsInUse: inUse,
    deactivationBlockers,
  };
}

export interface UserPermissionSetState {
  /** The assignment to the profile's own set, which every user holds and nobody can delete. */
  profilePermissionSetAssignmentId: string;
  permissionSetAssignments: PermissionSetAssignmentState[];
  deactivationBlockers: DeactivationBlockerState[];
}

export function userPermissionSetState(org: SimOrg, user: number): UserPermissionSetState {
  const { data } = org;
  return {
    profilePermissionSetAssignmentId: assignmentId(data, user),
    permissionSetAssignments: data.psa.liveRowsOf(user).map((row) => {
      const set = data.psa.item[row] ?? 0;
      return {
        id: assignmentId(data, assignmentTableRow(data, row)),
        permissionSetId: permissionSetId(data, set),
        permissionSetName: PERMISSION_SETS[set]?.name ?? '',
        licenseId: pslId(org, PERMISSION_SETS[set]?.licensePsl ?? null),
        requiredLicenseId: pslId(org, requiredPslOf(set)),
      };
    }),
    deactivationBlockers: blockersOf(data, user, licenseOfUser(data, user) === GUEST_LICENSE).map(
      (blocker) => ({ blocker, ...refusalOf(blocker) }),
    ),
  };
}

/** Whether deleting the user's assignment of `psl` would be refused (a set still needs it). */
export function licenseInUseBy(org: SimOrg, user: number, psl: number): boolean {
  return assignmentsNeedingPsl(org.data, user, psl).length > 0;
}
