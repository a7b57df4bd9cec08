/**
 * Peers that do only what the database must, on the same server and in the same run as seatwise:
 *
 * - the write floor: the documents a sync leaves behind that the issue asks for (a document per
 *   user, and the candidates), copied from seatwise's own database and inserted into a scratch one
 *   the way seatwise inserts (batches of `INSERT_BATCH`, `WRITES_IN_FLIGHT` at once), nothing else:
 *   no API call, no parsing, no rule;
 * - the straightforward approval: one `updateMany` of the pending candidates by `$in` of the ids,
 *   on a copy of the same candidates.
 *
 * No design that stores the same documents on this engine can take less than these; a target
 * below them is bounded by the engine, not by seatwise's work around it.
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
}

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

/** The straightforward approval of `ids` on a copy of `candidates`; only the `updateMany` is timed. */
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
      .updateMany(
        { _id: { $in: [...ids] }, status: 'pending' },
        { $set: { status: 'approved', decidedBy: 'peer', decidedAt: new Date() } },
      );
    return {
      candidates: candidates.length,
      approved: updated.modifiedCount,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
