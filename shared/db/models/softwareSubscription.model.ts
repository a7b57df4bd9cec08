import type { ObjectId } from 'mongodb';

/**
 * One license a user holds (or held: `goneAt`), inside that user's subscription document.
 * `assignmentId` is the Salesforce record that grants it (PermissionSetLicenseAssign /
 * UserPackageLicense id), what reclaim deletes; null for user and feature licenses.
 */
export interface HeldLicense {
  identifier: string;
  modelId: ObjectId | null;
  assignmentId: string | null;
  firstSeenAt: Date;
  /** Set when a later sync no longer found it in the org; kept for `GONE_RETENTION_DAYS`. */
  goneAt: Date | null;
}

/**
 * What one Salesforce user of a profile holds, as one download (`syncId`) saw it: one document per
 * user per snapshot, holding all of the user's licenses. A snapshot is a collection of its own
 * (`subscriptionSnapshots.ts`): the download inserts a fresh one and the profile's `activeSyncId`
 * switches to it, so nothing is ever updated in place, and dropping the old one costs nothing.
 * `_id` is the Salesforce user id.
 */
export interface UserSubscriptionDoc {
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
  lastLoginAt: Date | null;
  userCreatedAt: Date;
  lastSeenAt: Date;
  licenses: HeldLicense[];
}

/**
 * The api's view: one row per (user, license), as the subscriptions endpoint has always answered.
 * Built from a user document by `$unwind` (`subscriptionSnapshots.ts`).
 */
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

/** Flattens one user document into its rows (the api's view). */
export function rowsOfUserDoc(doc: UserSubscriptionDoc): SubscriptionRow[] {
  const { licenses, _id, ...user } = doc;
  return licenses.map((l) => ({
    ...user,
    _id: subscriptionRowId(doc.syncId, _id, l.identifier),
    identifier: l.identifier,
    modelId: l.modelId,
    assignmentId: l.assignmentId,
    firstSeenAt: l.firstSeenAt,
    goneAt: l.goneAt,
  }));
}
