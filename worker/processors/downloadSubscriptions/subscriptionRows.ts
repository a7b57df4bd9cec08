/**
 * Salesforce records → software-subscription rows of one snapshot (`syncId`). A user yields a row
 * for the seat of their user license and one per feature license; each permission-set or package
 * license assignment yields a row carrying the assignment id (what reclaim deletes).
 */
import type { ObjectId } from 'mongodb';
import {
  FEATURE_LICENSE_NAMES,
  FEATURE_LICENSES,
  featureLicenseIdentifier,
  packageLicenseIdentifier,
  permissionSetLicenseIdentifier,
  userSeatIdentifier,
} from '../../../shared/domain/licenseMapping.js';
import type {
  AssigneeRecord,
  PermissionSetLicenseAssignRecord,
  UserPackageLicenseRecord,
  UserRecord,
} from './salesforceRecords.js';

export interface SubscriptionRow {
  _id: string;
  profileId: ObjectId;
  syncId: string;
  userId: string;
  username: string;
  name: string | null;
  email: string | null;
  isActive: boolean;
  userType: string;
  profileName: string | null;
  /** The profile is "API Only User": an integration's user, never reclaimed. */
  apiOnly: boolean;
  identifier: string;
  modelId: ObjectId | null;
  assignmentId: string | null;
  lastLoginAt: Date | null;
  userCreatedAt: Date;
  firstSeenAt: Date;
  lastSeenAt: Date;
  goneAt: Date | null;
}

export const subscriptionRowId = (syncId: string, userId: string, identifier: string): string =>
  `${syncId}|${userId}|${identifier}`;

export interface RowContext {
  profileId: ObjectId;
  syncId: string;
  seenAt: Date;
  modelIdOf(identifier: string): ObjectId | null;
}

function row(
  ctx: RowContext,
  userId: string,
  user: AssigneeRecord,
  identifier: string,
  assignmentId: string | null,
): SubscriptionRow {
  return {
    _id: subscriptionRowId(ctx.syncId, userId, identifier),
    profileId: ctx.profileId,
    syncId: ctx.syncId,
    userId,
    username: user.Username,
    name: user.Name,
    email: user.Email,
    isActive: user.IsActive,
    userType: user.UserType,
    profileName: user.Profile?.Name ?? null,
    apiOnly: user.Profile?.PermissionsApiUserOnly ?? false,
    identifier,
    modelId: ctx.modelIdOf(identifier),
    assignmentId,
    lastLoginAt: user.LastLoginDate,
    userCreatedAt: user.CreatedDate,
    // Replaced by the previous snapshot's value when the row was seen before (snapshotWriter).
    firstSeenAt: ctx.seenAt,
    lastSeenAt: ctx.seenAt,
    goneAt: null,
  };
}

/** A user with no license on their profile holds no seat of one; their feature licenses still count. */
export function rowsOfUser(ctx: RowContext, user: UserRecord): SubscriptionRow[] {
  const rows: SubscriptionRow[] = [];
  const key = user.Profile?.UserLicense?.LicenseDefinitionKey;
  if (key) rows.push(row(ctx, user.Id, user, userSeatIdentifier(key, user.UserPermissionsSupportUser), null));
  for (const feature of FEATURE_LICENSE_NAMES) {
    if (user[FEATURE_LICENSES[feature].field])
      rows.push(row(ctx, user.Id, user, featureLicenseIdentifier(feature), null));
  }
  return rows;
}

export function rowOfPermissionSetLicenseAssign(
  ctx: RowContext,
  record: PermissionSetLicenseAssignRecord,
  developerNameOf: (permissionSetLicenseId: string) => string | undefined,
): SubscriptionRow | null {
  const developerName = developerNameOf(record.PermissionSetLicenseId);
  if (!developerName) return null;
  return row(
    ctx,
    record.AssigneeId,
    record.Assignee,
    permissionSetLicenseIdentifier(developerName),
    record.Id,
  );
}

export function rowOfUserPackageLicense(
  ctx: RowContext,
  record: UserPackageLicenseRecord,
  namespaceOf: (packageLicenseId: string) => string | undefined,
): SubscriptionRow | null {
  const namespace = namespaceOf(record.PackageLicenseId);
  if (!namespace) return null;
  return row(ctx, record.UserId, record.User, packageLicenseIdentifier(namespace), record.Id);
}
