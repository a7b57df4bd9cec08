/**
 * The compact record of a profile's removal candidates as computeCandidates last left them: per
 * candidate only what reconciling needs (who, which license, status, the rule revision and action
 * it was computed under, the approval's), packed a couple of thousand to a document as one JSON
 * string, like the subscription summary. The next compute starts from it plus the candidates the
 * journal lists (`candidateJournal.ts`) instead of decoding every candidate document, and writes
 * only what changed.
 *
 * Each compute writes a new generation beside the old one and then points the head at it, so a
 * compute that dies half-way leaves the previous ledger whole (the journal still lists what it
 * wrote). Without a head (a profile computed before the ledger existed) the compute reads the
 * candidates themselves, once.
 *
 * One collection for all profiles (as the journal, `candidateJournal.ts`, for the same reason):
 * every document carries its `profileId`, and ids start with it.
 */
import { ObjectId, type Collection } from 'mongodb';
import { z } from 'zod';
import { SeatwiseError } from '../errors.js';
import { CandidateTable } from './candidateTable.js';
import { LEDGER_ENTRIES_PER_DOC } from './engineQuirks.js';
import { rawDb, type Models, type PROFILE_KEYED_COLLECTIONS } from './models.js';
import { RECLAIM_ACTIONS, type ReclaimAction } from './models/reclamationRule.model.js';
import { CANDIDATE_STATUSES, type CandidateStatus } from './models/removalCandidate.model.js';

type ProfileId = ObjectId | string;

const LEDGER: (typeof PROFILE_KEYED_COLLECTIONS)[number] = 'candidate_ledgers';
const HEAD = 'head';

/** What reconciling needs of one candidate; `_id` is `<profileId>|<userId>|<identifier>`. */
export interface LedgerEntry {
  _id: string;
  userId: string;
  identifier: string;
  username: string;
  status: CandidateStatus;
  ruleId: ObjectId;
  ruleRevision: number;
  action: ReclaimAction;
  approval: { ruleId: ObjectId; ruleRevision: number; action: ReclaimAction } | null;
}

interface HeadDoc {
  _id: string;
  profileId: string;
  generation: string;
  chunks: number;
  entries: number;
  /**
   * The listing sequence the next new candidate takes (`candidateListing.ts`); absent when some
   * candidate of the profile has none (computed before the listing order existed).
   */
  listed?: number;
  at: Date;
}

interface ChunkDoc {
  _id: string;
  profileId: string;
  entries: string;
}

type LedgerDoc = HeadDoc | ChunkDoc;

const hex = z.string().regex(/^[a-f0-9]{24}$/);
const action = z.enum(RECLAIM_ACTIONS);
const entryTuple = z.tuple([
  z.string(),
  z.string(),
  z.string(),
  z.enum(CANDIDATE_STATUSES),
  hex,
  z.number().int(),
  action,
  z.tuple([hex, z.number().int(), action]).nullable(),
]);
const chunkSchema = z.array(entryTuple);
type EntryTuple = z.infer<typeof entryTuple>;

function encode(e: LedgerEntry): EntryTuple {
  return [
    e.userId,
    e.identifier,
    e.username,
    e.status,
    e.ruleId.toHexString(),
    e.ruleRevision,
    e.action,
    e.approval ? [e.approval.ruleId.toHexString(), e.approval.ruleRevision, e.approval.action] : null,
  ];
}

function decode(profileId: string, t: EntryTuple): LedgerEntry {
  return {
    // join builds one flat string; a template literal leaves a tree of concatenations (~300 bytes an
    // id at half a million candidates) until the id is hashed.
    _id: [profileId, t[0], t[1]].join('|'),
    userId: t[0],
    identifier: t[1],
    username: t[2],
    status: t[3],
    // The table keeps one ObjectId per distinct rule (`candidateTable.ts`).
    ruleId: new ObjectId(t[4]),
    ruleRevision: t[5],
    action: t[6],
    approval: t[7] ? { ruleId: new ObjectId(t[7][0]), ruleRevision: t[7][1], action: t[7][2] } : null,
  };
}

function collectionOf(models: Models): Collection<LedgerDoc> {
  return rawDb(models).collection<LedgerDoc>(LEDGER);
}

const headId = (profileId: ProfileId) => `${String(profileId)}:${HEAD}`;
const chunkId = (profileId: ProfileId, generation: string, n: number) =>
  `${String(profileId)}:${generation}:${n}`;

const corrupt = (profileId: ProfileId, chunk: number) =>
  new SeatwiseError('LEDGER_CORRUPT', 'a candidate ledger document is missing or does not decode', {
    profileId: String(profileId),
    chunk,
  });

export interface Ledger {
  entries: CandidateTable;
  /** The next listing sequence, or null when not every candidate has one. */
  listed: number | null;
}

async function readHead(models: Models, profileId: ProfileId): Promise<HeadDoc | null> {
  return (await collectionOf(models).findOne({ _id: headId(profileId) })) as HeadDoc | null;
}

/**
 * How many candidates the default listing order spans, as the last compute left it (the api's
 * default candidate pages), or null when it does not cover every candidate or none was computed.
 */
export async function readListed(models: Models, profileId: ProfileId): Promise<number | null> {
  return (await readHead(models, profileId))?.listed ?? null;
}

/** The ledger's entries, or null when the profile has none yet. */
export async function readLedger(models: Models, profileId: ProfileId): Promise<Ledger | null> {
  const collection = collectionOf(models);
  const head = await readHead(models, profileId);
  if (!head) return null;
  // One pass over the collection (the head's generation, and rarely the leftovers of a compute
  // that died before its clean-up), each chunk decoded into the map as it streams by: a lookup per
  // chunk would make PostgreSQL read every chunk's large string again for each, since even `_id`
  // equality scans on FerretDB (`engineQuirks.ts`); holding the decoded chunks until all had
  // arrived held a second, unhashed copy of every entry (a million-user re-sync ran out of heap).
  const prefix = chunkId(profileId, head.generation, 0).slice(0, -1);
  const entries = new CandidateTable();
  const seen = new Set<number>();
  for await (const doc of collection.find({ profileId: String(profileId) }).batchSize(4)) {
    if (!doc._id.startsWith(prefix)) continue;
    const n = Number(doc._id.slice(prefix.length));
    const parsed = chunkSchema.safeParse(JSON.parse((doc as ChunkDoc).entries));
    if (!parsed.success || !Number.isInteger(n) || n < 0 || n >= head.chunks) throw corrupt(profileId, n);
    for (const t of parsed.data) {
      const e = decode(String(profileId), t);
      entries.set(e._id, e);
    }
    seen.add(n);
  }
  for (let n = 0; n < head.chunks; n += 1) if (!seen.has(n)) throw corrupt(profileId, n);
  return { entries, listed: head.listed ?? null };
}

/**
 * Writes `entries` as the new generation, points the head at it (with the next listing sequence,
 * when every candidate has one), then drops older generations.
 */
export async function writeLedger(
  models: Models,
  profileId: ProfileId,
  entries: Iterable<LedgerEntry>,
  listed: number | null,
): Promise<void> {
  const collection = collectionOf(models);
  const owner = String(profileId);
  const generation = new ObjectId().toHexString();
  // Each chunk is written as soon as it is full: half a million entries held as JSON all at once
  // took ~60 MB of a worker's heap on top of the compute's own.
  const written: string[] = [];
  let buffer: EntryTuple[] = [];
  let count = 0;
  const flush = async () => {
    const chunk: ChunkDoc = {
      _id: chunkId(owner, generation, written.length),
      profileId: owner,
      entries: JSON.stringify(buffer),
    };
    buffer = [];
    await collection.insertOne(chunk);
    written.push(chunk._id);
  };
  for (const e of entries) {
    buffer.push(encode(e));
    count += 1;
    if (buffer.length >= LEDGER_ENTRIES_PER_DOC) await flush();
  }
  if (buffer.length > 0 || written.length === 0) await flush();
  const head: HeadDoc = {
    _id: headId(owner),
    profileId: owner,
    generation,
    chunks: written.length,
    entries: count,
    ...(listed === null ? {} : { listed }),
    at: new Date(),
  };
  await collection.replaceOne({ _id: head._id }, head, { upsert: true });
  // The profile equality narrows the scan to this profile's few documents.
  await collection.deleteMany({ profileId: owner, _id: { $nin: [head._id, ...written] } });
}

/** Drops a deleted profile's ledger. */
export async function dropLedger(models: Models, profileId: ProfileId): Promise<void> {
  await collectionOf(models).deleteMany({ profileId: String(profileId) });
}
