/**
 * The few reads the savings figures need from a profile's candidates and subscription rows, kept in
 * one place so a change of how the download stores rows is adapted here alone.
 */
import { ObjectId } from 'mongodb';
import type { Models } from '../db/models.js';
import { loadKnownCandidates } from '../db/candidateState.js';
import { snapshotOf } from '../db/subscriptionSnapshots.js';
import { readSummary, unpackUser } from '../db/subscriptionSummary.js';
import { inactivityCutoff } from '../domain/inactivity.js';
import type { CandidateFacts } from '../domain/savings.js';

type ProfileId = ObjectId | string;

/**
 * Status, license and action of every candidate of the profile, from their compact state (the
 * candidate ledger and journal) rather than a read of every candidate.
 */
export async function readCandidateFacts(
  models: Models,
  profileId: ProfileId,
): Promise<Iterable<CandidateFacts>> {
  const { known } = await loadKnownCandidates(models, new ObjectId(String(profileId)));
  return known.values();
}

/**
 * Seats held by active users who logged in within their model's threshold (strictly after the
 * cut-off: exactly at the threshold is idle, as for the rules), from the snapshot's summary: a few
 * documents, where a query of the user documents decoded each active user's.
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
  for await (const users of readSummary(snapshotOf(models, profileId, syncId))) {
    for (const user of users) {
      if (!user.isActive || !user.lastLoginAt) continue;
      for (const license of user.licenses) {
        const days = thresholdDaysByIdentifier.get(license.identifier);
        if (days === undefined || license.goneAt !== null) continue;
        if (user.lastLoginAt <= inactivityCutoff(days, now)) continue;
        counts.set(license.identifier, (counts.get(license.identifier) ?? 0) + 1);
      }
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
