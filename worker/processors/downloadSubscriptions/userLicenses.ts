/**
 * Salesforce records → the licenses a user holds. A user yields the seat of their user license and
 * one license per feature flag; each permission-set or package license assignment yields a license
 * carrying the assignment id (what reclaim deletes). Assignments arrive in extracts of their own, in
 * no particular order, so they are indexed by user first (`AssignmentIndex`) and joined to the user
 * when the user's record streams by.
 */
import {
  FEATURE_LICENSE_NAMES,
  FEATURE_LICENSES,
  featureLicenseIdentifier,
  userSeatIdentifier,
} from '../../../shared/domain/licenseMapping.js';
import type {
  PermissionSetLicenseAssignRecord,
  UserPackageLicenseRecord,
  UserRecord,
} from './salesforceRecords.js';

export interface LicenseRef {
  identifier: string;
  assignmentId: string | null;
}

/** A user with no license on their profile holds no seat of one; their feature licenses still count. */
export function licensesOfUser(user: UserRecord): LicenseRef[] {
  const licenses: LicenseRef[] = [];
  const key = user.Profile?.UserLicense?.LicenseDefinitionKey;
  if (key)
    licenses.push({
      identifier: userSeatIdentifier(key, user.UserPermissionsSupportUser),
      assignmentId: null,
    });
  for (const feature of FEATURE_LICENSE_NAMES) {
    if (user[FEATURE_LICENSES[feature].field])
      licenses.push({ identifier: featureLicenseIdentifier(feature), assignmentId: null });
  }
  return licenses;
}

/**
 * Assignments by user id, held until the user's record arrives. Compact on purpose (two short
 * strings per assignment): it is the only part of a download that grows with the org.
 */
export class AssignmentIndex {
  private readonly byUser = new Map<string, string[]>();
  size = 0;

  add(userId: string, identifier: string, assignmentId: string): void {
    const held = this.byUser.get(userId);
    if (held) held.push(identifier, assignmentId);
    else this.byUser.set(userId, [identifier, assignmentId]);
    this.size += 1;
  }

  /** The user's assignments, removed from the index. */
  take(userId: string): LicenseRef[] {
    const held = this.byUser.get(userId);
    if (!held) return [];
    this.byUser.delete(userId);
    const out: LicenseRef[] = [];
    for (let i = 0; i < held.length; i += 2)
      out.push({ identifier: held[i] as string, assignmentId: held[i + 1] as string });
    this.size -= out.length;
    return out;
  }

  /** Assignments whose user never appeared in the user extract. */
  get leftOver(): number {
    return this.size;
  }
}

/**
 * Each catalog entry's identifier, made once: an assignment holds that one string rather than a
 * copy of its own (400,000 assignments in a 1,000,000-user org).
 */
export function identifiersOf<R extends { Id: string }>(
  catalog: readonly R[],
  identifierOf: (record: R) => string,
): Map<string, string> {
  return new Map(catalog.map((r) => [r.Id, identifierOf(r)]));
}

export function addPermissionSetLicenseAssign(
  index: AssignmentIndex,
  record: PermissionSetLicenseAssignRecord,
  identifiers: ReadonlyMap<string, string>,
): void {
  const identifier = identifiers.get(record.PermissionSetLicenseId);
  if (identifier) index.add(record.AssigneeId, identifier, record.Id);
}

export function addUserPackageLicense(
  index: AssignmentIndex,
  record: UserPackageLicenseRecord,
  identifiers: ReadonlyMap<string, string>,
): void {
  const identifier = identifiers.get(record.PackageLicenseId);
  if (identifier) index.add(record.UserId, identifier, record.Id);
}
