/**
 * Each profile's removal candidates live in a collection of their own, `removal_candidates_<profileId>`
 * (its subscriptions in snapshot collections, `subscriptionSnapshots.ts`). Every read of them is
 * one profile's (the candidates scan, reclaim, the results pages), and FerretDB answers most
 * filters by decoding the whole collection (`engineQuirks.ts`): with shared collections, each of
 * 12 orgs' runs decoded all 12 orgs' rows. Many-orgs benchmark, 12 × 2,500 users, 1 worker: 204 s
 * shared, 60 s per profile. The candidate ledger and journal (`candidateLedger.ts`,
 * `candidateJournal.ts`) are shared collections. Deleting a profile drops all of its rows.
 */
import type { Connection } from 'mongoose';
import type { ObjectId } from 'mongodb';
import { removalCandidateSchema } from './models/removalCandidate.model.js';
import { SeatwiseError } from '../errors.js';
import { isFerretdb, type Models } from './models.js';
import { dropAllSnapshots } from './subscriptionSnapshots.js';
import { dropJournal } from './candidateJournal.js';
import { dropLedger } from './candidateLedger.js';

type ProfileId = ObjectId | string;

const CANDIDATES = 'removal_candidates';

function connectionOf(models: Models): Connection {
  return models.IntegrationProfile.db;
}

/**
 * A model is compiled (and kept) per profile, so only the one spelling of a profile id may name
 * one: an upper-case variant would read an empty collection and leave a model behind per variant.
 */
function canonical(profileId: ProfileId): string {
  const id = String(profileId);
  if (!/^[a-f0-9]{24}$/.test(id)) {
    throw new SeatwiseError('PROFILE_ID_NOT_CANONICAL', 'a profile id is 24 lower-case hex characters', {
      profileId: id.slice(0, 40),
    });
  }
  return id;
}

function compileCandidates(connection: Connection, profileId: ProfileId) {
  const name = `RemovalCandidate_${String(profileId)}`;
  return connection.model(name, removalCandidateSchema, `${CANDIDATES}_${String(profileId)}`);
}

export type CandidateModel = ReturnType<typeof compileCandidates>;

/** The model over one profile's removal candidates; compiled once per connection and profile. */
export function candidatesOf(models: Models, profileId: ProfileId): CandidateModel {
  const connection = connectionOf(models);
  const existing = connection.models[`RemovalCandidate_${canonical(profileId)}`];
  return (existing as CandidateModel | undefined) ?? compileCandidates(connection, profileId);
}

export function profileCollectionNames(profileId: ProfileId): string[] {
  return [`${CANDIDATES}_${String(profileId)}`];
}

/**
 * Indexes of a profile's candidates, created by each download before it writes (idempotent, cheap
 * once they exist; candidates are only ever computed after a download). On FerretDB none: it
 * never reads a non-unique index (`engineQuirks.ts`).
 */
export async function ensureProfileIndexes(models: Models, profileId: ProfileId): Promise<void> {
  if (await isFerretdb(models)) return;
  await candidatesOf(models, profileId).createIndexes();
}

/** Removes every row of the profile, whether or not its collections were ever created. */
export async function dropProfileCollections(models: Models, profileId: ProfileId): Promise<void> {
  const connection = connectionOf(models);
  await dropAllSnapshots(models, profileId);
  const db = connection.db;
  for (const model of [candidatesOf(models, profileId)]) {
    const found = db ? await db.listCollections({ name: model.collection.collectionName }).toArray() : [];
    if (found.length > 0) await model.collection.drop();
    connection.deleteModel(model.modelName);
  }
  await dropLedger(models, profileId);
  await dropJournal(models, profileId);
}
