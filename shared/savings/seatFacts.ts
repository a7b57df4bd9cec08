/**
 * The few reads the savings figures need from a profile's candidates and subscription rows, kept in
 * one place so a change of how the download stores rows is adapted here alone.
 */
import { ObjectId } from 'mongodb';
import type { Models } from '../db/models.js';
import { loadKnownCandidates } from '../db/candidateState.js';
import { snapshotOf } from '../db/subscriptionSnapshots.js';
import { readSummary, unpackUser, type UserSummary } from '../db/subscriptionSummary.js';
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
 * cut-off: exactly at the threshold is idle, as for the rules), counted one summary user at a time,
 * so a pass that reads the summary anyway (computeCandidates) counts them on the way.
 */
export class ActiveSeatTally {
  readonly counts = new Map<string, number>();
  private readonly cutoffs = new Map<string, number>();

  constructor(
    readonly thresholdDaysByIdentifier: ReadonlyMap<string, number>,
    now: Date,
  ) {
    for (const [identifier, days] of thresholdDaysByIdentifier)
      this.cutoffs.set(identifier, inactivityCutoff(days, now).getTime());
  }

  add(user: UserSummary): void {
    if (!user.isActive || !user.lastLoginAt) return;
    const lastLogin = user.lastLoginAt.getTime();
    for (const license of user.licenses) {
      const cutoff = this.cutoffs.get(license.identifier);
      if (cutoff === undefined || license.goneAt !== null || lastLogin <= cutoff) continue;
      this.counts.set(license.identifier, (this.counts.get(license.identifier) ?? 0) + 1);
    }
  }
}

/** {@link ActiveSeatTally} over the snapshot's summary: a few documents, not a user document each. */
export async function countActiveSeats(
  models: Models,
  profileId: ProfileId,
  syncId: string,
  thresholdDaysByIdentifier: ReadonlyMap<string, number>,
  now: Date,
): Promise<Map<string, number>> {
  const tally = new ActiveSeatTally(thresholdDaysByIdentifier, now);
  if (thresholdDaysByIdentifier.size === 0) return tally.counts;
  for await (const users of readSummary(snapshotOf(models, profileId, syncId))) {
    for (const user of users) tally.add(user);
  }
  return tally.counts;
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
