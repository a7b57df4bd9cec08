/**
 * Peers that do only what the database must, on the same server and in the same run as seatwise:
 *
 * - the write floor: the documents a sync leaves behind that the issue asks for (a document per
 *   user, and the candidates), copied from seatwise's own database and inserted into a scratch one
 *   the way seatwise inserts (batches of `INSERT_BATCH`, `WRITES_IN_FLIGHT` at once), nothing else:
 *   no API call, no parsing, no rule;
 * - the straightforward approval: one `updateMany` of the pending candidates by `$in` of the ids,
 *   on a copy of the same candidates;
 * - the update floor: the same candidates updated by one `updateMany` whose only filter is a
 *   top-level equality (a marker the copy was inserted with), the one filter FerretDB pushes down:
 *   no status check, no read before, no audit. Any approval that moves one document per candidate
 *   on this engine takes at least that.
 *
 * No design that stores (or moves) the same documents on this engine can take less than the two
 * floors, and a target below them is bounded by the engine, not by seatwise's work around it; the
 * straightforward approval is the peer a design should beat.
 */
import { MongoClient, type Document } from 'mongodb';
import { INSERT_BATCH, WRITES_IN_FLIGHT } from '../shared/db/engineQuirks.js';
import { snapshotCollectionNames } from '../shared/db/subscriptionSnapshots.js';

export interface WriteFloor {
  userDocuments: number;
  candidates: number;
  /** Inserting the user documents, then the candidates (a compute needs every user first). */
  seconds: number;
}

export interface ApprovePeer {
  candidates: number;
  approved: number;
  seconds: number;
  /** The update floor: the same ids, marked beforehand, updated by that marker alone. */
  floorSeconds: number;
  floorUpdated: number;
}

/** The change both approval peers write: the same for the floor as for the straightforward one. */
const approval = () => ({ $set: { status: 'approved', decidedBy: 'peer', decidedAt: new Date() } });

/** A field no candidate has: the update floor's copy carries it on the ids to approve. */
const FLOOR_MARK = 'benchFloorPick';

const candidatesCollection = (profileId: string) => `removal_candidates_${profileId}`;

async function withScratch<T>(
  mongoUrl: string,
  sourceDb: string,
  work: (source: MongoClient, scratch: MongoClient) => Promise<T>,
): Promise<T> {
  const source = await MongoClient.connect(`${mongoUrl}/${sourceDb}`);
  const scratch = await MongoClient.connect(`${mongoUrl}/${sourceDb}_peer`);
  try {
    return await work(source, scratch);
  } finally {
    await scratch
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await Promise.all([source.close(), scratch.close()]);
  }
}

/** `docs` in batches of `INSERT_BATCH`, `WRITES_IN_FLIGHT` batches at a time, as seatwise writes. */
async function insertAsSeatwise(
  scratch: MongoClient,
  name: string,
  docs: readonly Document[],
): Promise<void> {
  const collection = scratch.db().collection(name);
  let next = 0;
  const lane = async () => {
    while (next < docs.length) {
      const batch = docs.slice(next, next + INSERT_BATCH);
      next += INSERT_BATCH;
      await collection.insertMany(batch, { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, lane));
}

/** The write floor of a finished sync (`syncId`) of `profileId` in database `sourceDb`. */
export function writeFloor(
  mongoUrl: string,
  sourceDb: string,
  profileId: string,
  syncId: string,
): Promise<WriteFloor> {
  return withScratch(mongoUrl, sourceDb, async (source, scratch) => {
    const [usersName] = snapshotCollectionNames(profileId, syncId) as [string];
    // Read before the clock starts: only the inserts are the floor.
    const users = await source.db().collection(usersName).find({}).toArray();
    const candidates = await source.db().collection(candidatesCollection(profileId)).find({}).toArray();
    if (users.length === 0) throw new Error(`write floor: no user documents in ${usersName}`);
    const started = performance.now();
    await insertAsSeatwise(scratch, 'users', users);
    await insertAsSeatwise(scratch, 'candidates', candidates);
    return {
      userDocuments: users.length,
      candidates: candidates.length,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** The profile's candidates as they are now, to approve on a copy later (`approvePeer`). */
export async function copyOfCandidates(
  mongoUrl: string,
  sourceDb: string,
  profileId: string,
): Promise<Document[]> {
  const source = await MongoClient.connect(`${mongoUrl}/${sourceDb}`);
  try {
    return await source.db().collection(candidatesCollection(profileId)).find({}).toArray();
  } finally {
    await source.close();
  }
}

/**
 * The straightforward approval of `ids` on a copy of `candidates`, then the update floor on another
 * copy; only the two `updateMany` calls are timed.
 */
export function approvePeer(
  mongoUrl: string,
  sourceDb: string,
  candidates: readonly Document[],
  ids: readonly string[],
): Promise<ApprovePeer> {
  return withScratch(mongoUrl, sourceDb, async (_source, scratch) => {
    await insertAsSeatwise(scratch, 'candidates', candidates);
    const started = performance.now();
    const updated = await scratch
      .db()
      .collection<{ _id: string }>('candidates')
      .updateMany({ _id: { $in: [...ids] }, status: 'pending' }, approval());
    const seconds = (performance.now() - started) / 1000;
    const floor = await updateFloor(scratch, candidates, ids);
    return {
      candidates: candidates.length,
      approved: updated.modifiedCount,
      seconds,
      floorSeconds: floor.seconds,
      floorUpdated: floor.updated,
    };
  });
}

async function updateFloor(
  scratch: MongoClient,
  candidates: readonly Document[],
  ids: readonly string[],
): Promise<{ seconds: number; updated: number }> {
  const picked = new Set(ids);
  const marked = candidates.map((c) => (picked.has(String(c._id)) ? { ...c, [FLOOR_MARK]: true } : c));
  await insertAsSeatwise(scratch, 'candidates_floor', marked);
  const started = performance.now();
  const updated = await scratch
    .db()
    .collection('candidates_floor')
    .updateMany({ [FLOOR_MARK]: true }, approval());
  return { seconds: (performance.now() - started) / 1000, updated: updated.modifiedCount };
}
