/**
 * Which removal candidates were written since computeCandidates last recorded the profile's
 * candidate set (`candidateLedger.ts`). Every write of a candidate appends the ids it touched here,
 * after the write: the api's decisions, reclaim, undo, and computeCandidates itself. The next
 * compute trusts the ledger for every candidate except the ones listed, which it reads again, and
 * then removes exactly the entries it read (an entry appended meanwhile stays for the run after).
 *
 * Why a journal and not a re-read: reading a profile's candidates back decodes every document on
 * FerretDB (`engineQuirks.ts`), which made a re-sync's compute cost more than the first one's.
 * Entries are inserts into a collection of a few documents; nothing scans the candidates.
 *
 * One collection for all profiles, each entry carrying its profile: a collection per profile was
 * created on its first decision, and FerretDB creates a collection under a registry lock while it
 * waits for a pooled PostgreSQL connection (`engineQuirks.ts`); the test suite's many profiles did
 * that concurrently often enough to jam it. Reads filter on `profileId`, a top-level equality.
 */
import { ObjectId, type Collection } from 'mongodb';
import { rawDb, type Models, type PROFILE_KEYED_COLLECTIONS } from './models.js';

type ProfileId = ObjectId | string;

const JOURNAL: (typeof PROFILE_KEYED_COLLECTIONS)[number] = 'candidate_changes';

/** Ids per journal document: a write of a whole compute batch stays one small insert. */
const IDS_PER_ENTRY = 2_000;

interface JournalDoc {
  _id: ObjectId;
  profileId: string;
  ids: string[];
  at: Date;
}

export interface CandidateJournal {
  /** Lists candidates just written (call after the write, so a compute reading it sees the write). */
  record(ids: Iterable<string>): Promise<void>;
  /** The entries this journal object appended, for a compute to consume its own. */
  readonly written: readonly ObjectId[];
}

export interface JournalRead {
  ids: Set<string>;
  entries: ObjectId[];
}

function collectionOf(models: Models): Collection<JournalDoc> {
  return rawDb(models).collection<JournalDoc>(JOURNAL);
}

export function candidateJournalOf(models: Models, profileId: ProfileId): CandidateJournal {
  const collection = collectionOf(models);
  const owner = String(profileId);
  const written: ObjectId[] = [];
  return {
    written,
    async record(ids) {
      const all = [...new Set(ids)];
      if (all.length === 0) return;
      const docs: JournalDoc[] = [];
      for (let i = 0; i < all.length; i += IDS_PER_ENTRY)
        docs.push({
          _id: new ObjectId(),
          profileId: owner,
          ids: all.slice(i, i + IDS_PER_ENTRY),
          at: new Date(),
        });
      await collection.insertMany(docs);
      written.push(...docs.map((d) => d._id));
    },
  };
}

/** Every entry now in the journal (a handful of small documents between two computes). */
export async function readJournal(models: Models, profileId: ProfileId): Promise<JournalRead> {
  const ids = new Set<string>();
  const entries: ObjectId[] = [];
  for await (const doc of collectionOf(models).find({ profileId: String(profileId) })) {
    entries.push(doc._id);
    for (const id of doc.ids) ids.add(id);
  }
  return { ids, entries };
}

/** Removes the entries a compute has taken into its ledger; later ones stay. */
export async function consumeJournal(
  models: Models,
  profileId: ProfileId,
  entries: readonly ObjectId[],
): Promise<void> {
  if (entries.length === 0) return;
  // The journal holds a few documents, so this filter's scan is of those few only.
  await collectionOf(models).deleteMany({ profileId: String(profileId), _id: { $in: [...entries] } });
}

/** Drops a deleted profile's entries. */
export async function dropJournal(models: Models, profileId: ProfileId): Promise<void> {
  await collectionOf(models).deleteMany({ profileId: String(profileId) });
}
