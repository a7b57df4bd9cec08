import type { ObjectId } from 'mongodb';

/**
 * What one Salesforce user of a profile holds, as one download saw it: one document per user per
 * snapshot. A snapshot is a collection of its own (`subscriptionSnapshots.ts`): the download inserts
 * a fresh one and the profile's `activeSyncId` switches to it, so nothing is ever updated in place,
 * and dropping the old one costs nothing. `_id` is the Salesforce user id.
 *
 * Only what the list endpoints filter and sort on is a field of its own; the rest (name, email,
 * type, profile, every license with its assignment id, first sighting and `goneAt`) is one packed
 * string (`subscriptionSummary.ts`'s encoding of the user). FerretDB inserts such a document about
 * twice as fast, and reads it four times as fast, as the same content spelled out in fields.
 */
export interface UserSubscriptionDoc {
  _id: string;
  username: string;
  isActive: boolean;
  lastLoginAt: Date | null;
  userCreatedAt: Date;
  /** Every license identifier in `user` (held or gone): what the identifier filter matches. */
  identifiers: string[];
  /** The packed user (`packUser`). */
  user: string;
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
