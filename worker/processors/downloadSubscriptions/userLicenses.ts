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
import { Interned, NONE, u32 } from '../../../shared/compactColumns.js';
import { SalesforceIdColumn, SalesforceIdIndex } from '../../../shared/packedSalesforceIds.js';

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
 * Assignments by user id, held until the user's record arrives: the only part of a first download
 * that grows with the org (400,000 assignments at a million users). Kept in columns outside the
 * heap (`compactColumns.ts`): as a map of arrays of strings it held, by estimate (~150 bytes an
 * assignment), about 60 MB of live heap through the whole users phase, which each major collection
 * marks again. Each user's assignments are a chain in arrival order.
 */
export class AssignmentIndex {
  private readonly users = new SalesforceIdIndex();
  /** Per user number: its first and last assignment, NONE once taken. */
  private readonly head = u32();
  private readonly tail = u32();
  /** Per assignment: its identifier (interned), its id, the user's next assignment. */
  private readonly identifier = u32();
  private readonly assignment = u32();
  private readonly next = u32();
  private readonly assignmentIds = new SalesforceIdColumn();
  private readonly identifiers = new Interned<string>();
  size = 0;

  add(userId: string, identifier: string, assignmentId: string): void {
    const entry = this.identifier.push(this.identifiers.of(identifier));
    this.assignment.push(this.assignmentIds.add(assignmentId));
    this.next.push(NONE);
    let user = this.users.find(userId);
    if (user === -1) {
      user = this.users.add(userId);
      this.head.push(entry);
      this.tail.push(entry);
    } else if (this.head.data[user] === NONE) {
      // Taken already: a late assignment of a user whose record went by is an assignment without user.
      this.head.data[user] = entry;
      this.tail.data[user] = entry;
    } else {
      this.next.data[this.tail.data[user] as number] = entry;
      this.tail.data[user] = entry;
    }
    this.size += 1;
  }

  /** The user's assignments, in the order they arrived, removed from the index. */
  take(userId: string): LicenseRef[] {
    const user = this.users.find(userId);
    if (user === -1) return [];
    const out: LicenseRef[] = [];
    for (let e = this.head.data[user] as number; e !== NONE; e = this.next.data[e] as number) {
      out.push({
        identifier: this.identifiers.values[this.identifier.data[e] as number] as string,
        assignmentId: this.assignmentIds.get(this.assignment.data[e] as number),
      });
    }
    this.head.data[user] = NONE;
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
