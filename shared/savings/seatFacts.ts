/**
 * The few reads the savings figures need from a profile's candidates and subscription rows, kept in
 * one place so a change of how the download stores rows is adapted here alone.
 */
import type { ObjectId } from 'mongodb';
import type { Models } from '../db/models.js';
import { candidatesOf, subscriptionsOf } from '../db/profileCollections.js';
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
 * cut-off: exactly at the threshold is idle, as for the rules). One aggregation per distinct
 * threshold, usually one, so the database counts and only totals travel.
 */
export async function countActiveSeats(
  models: Models,
  profileId: ProfileId,
  syncId: string,
  thresholdDaysByIdentifier: ReadonlyMap<string, number>,
  now: Date,
): Promise<Map<string, number>> {
  const byThreshold = new Map<number, string[]>();
  for (const [identifier, days] of thresholdDaysByIdentifier) {
    byThreshold.set(days, [...(byThreshold.get(days) ?? []), identifier]);
  }
  const counts = new Map<string, number>();
  const rows = subscriptionsOf(models, profileId).collection;
  for (const [days, identifiers] of byThreshold) {
    const grouped = await rows
      .aggregate<{ _id: string; n: number }>([
        {
          $match: {
            syncId,
            goneAt: null,
            isActive: true,
            identifier: { $in: identifiers },
            lastLoginAt: { $gt: inactivityCutoff(days, now) },
          },
        },
        { $group: { _id: '$identifier', n: { $sum: 1 } } },
      ])
      .toArray();
    for (const g of grouped) counts.set(g._id, g.n);
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
  const cursor = subscriptionsOf(models, profileId)
    .collection.find(
      { syncId, goneAt: null },
      {
        projection: {
          userId: 1,
          username: 1,
          email: 1,
          federationId: 1,
          name: 1,
          isActive: 1,
          identifier: 1,
        },
      },
    )
    .batchSize(5_000);
  for await (const r of cursor) {
    yield {
      userId: String(r.userId),
      username: String(r.username),
      email: typeof r.email === 'string' ? r.email : null,
      // Not downloaded yet (FederationIdentifier); read when the rows carry it.
      federationId: typeof r.federationId === 'string' ? r.federationId : null,
      name: typeof r.name === 'string' ? r.name : null,
      isActive: r.isActive === true,
      identifier: String(r.identifier),
    };
  }
}
