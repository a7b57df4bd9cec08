/**
 * The few reads the savings figures need from a profile's candidates and subscription rows, kept in
 * one place so a change of how the download stores rows is adapted here alone.
 */
import type { ObjectId } from 'mongodb';
import type { Models } from '../db/models.js';
import { candidatesOf } from '../db/profileCollections.js';
import { snapshotOf } from '../db/subscriptionSnapshots.js';
import { unpackUser } from '../db/subscriptionSummary.js';
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';
import type { ReclaimAction } from '../db/models/reclamationRule.model.js';
import { inactivityCutoff } from '../domain/inactivity.js';
import type { CandidateFacts } from '../domain/savings.js';

type ProfileId = ObjectId | string;

/** Status, license and action of every candidate of the profile (one scan, three fields). */
export async function readCandidateFacts(models: Models, profileId: ProfileId): Promise<CandidateFacts[]> {
  const facts: CandidateFacts[] = [];
  const cursor = candidatesOf(models, profileId)
    .collection.find({}, { projection: { identifier: 1, status: 1, action: 1 } })
    .batchSize(5_000);
  for await (const c of cursor) {
    facts.push({
      identifier: String(c.identifier),
      status: c.status as CandidateStatus,
      action: c.action as ReclaimAction,
    });
  }
  return facts;
}

/**
 * Seats held by active users who logged in within their model's threshold (strictly after the
 * cut-off: exactly at the threshold is idle, as for the rules). The database narrows to active
 * users holding one of the identifiers; each user's own document says which licenses are held now.
 */
export async function countActiveSeats(
  models: Models,
  profileId: ProfileId,
  syncId: string,
  thresholdDaysByIdentifier: ReadonlyMap<string, number>,
  now: Date,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (thresholdDaysByIdentifier.size === 0) return counts;
  const shortest = Math.min(...thresholdDaysByIdentifier.values());
  const { users } = snapshotOf(models, profileId, syncId);
  const cursor = users
    .find({
      isActive: true,
      identifiers: { $in: [...thresholdDaysByIdentifier.keys()] },
      // The loosest cut-off first; each license's own threshold is applied below.
      lastLoginAt: { $gt: inactivityCutoff(shortest, now) },
    })
    .batchSize(2_000);
  for await (const doc of cursor) {
    for (const license of unpackUser(doc.user).licenses) {
      const days = thresholdDaysByIdentifier.get(license.identifier);
      if (days === undefined || license.goneAt !== null) continue;
      if (!doc.lastLoginAt || doc.lastLoginAt <= inactivityCutoff(days, now)) continue;
      counts.set(license.identifier, (counts.get(license.identifier) ?? 0) + 1);
    }
  }
  return counts;
}

export interface SeatHolder {
  userId: string;
  username: string;
  email: string | null;
  federationId: string | null;
  name: string | null;
  isActive: boolean;
  identifier: string;
}

/** Every seat of the profile's current download, with who holds it (cross-org matching). */
export async function* readSeatHolders(
  models: Models,
  profileId: ProfileId,
  syncId: string,
): AsyncIterable<SeatHolder> {
  const { users } = snapshotOf(models, profileId, syncId);
  for await (const doc of users.find({}).batchSize(2_000)) {
    const user = unpackUser(doc.user);
    for (const license of user.licenses) {
      if (license.goneAt !== null) continue;
      yield {
        userId: user.userId,
        username: user.username,
        email: user.email,
        federationId: user.federationId,
        name: user.name,
        isActive: user.isActive,
        identifier: license.identifier,
      };
    }
  }
}
