/**
 * The compact per-user summary of a snapshot: every user with what the rules and the next download
 * need (who, active, type, profile, last login, created, and each license with its assignment,
 * first sighting and `goneAt`), packed a few thousand users to a document as one JSON string of
 * tuples. computeCandidates reads a 100,000-user org as ~50 documents instead of decoding every
 * subscription, and the next download carries `firstSeenAt` and vanished licenses forward from it.
 */
import { z } from 'zod';
import { SeatwiseError } from '../errors.js';
import { SUMMARY_USERS_PER_DOC } from './engineQuirks.js';
import type { SnapshotCollections, SummaryChunkDoc } from './subscriptionSnapshots.js';

export interface SummaryLicense {
  identifier: string;
  assignmentId: string | null;
  firstSeenAt: Date;
  goneAt: Date | null;
}

export interface UserSummary {
  userId: string;
  username: string;
  name: string | null;
  email: string | null;
  /** The user's single sign-on id (User.FederationIdentifier): matches one person across orgs. */
  federationId: string | null;
  isActive: boolean;
  userType: string;
  profileName: string | null;
  apiOnly: boolean;
  lastLoginAt: Date | null;
  userCreatedAt: Date;
  lastSeenAt: Date;
  licenses: SummaryLicense[];
}

const ms = z.number().int();
const licenseTuple = z.tuple([z.string(), z.string().nullable(), ms, ms.nullable()]);
/** The stored shape of a user: the definition `decodeStoredUser` checks by hand. */
export const userTupleSchema = z.tuple([
  z.string(),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
  z.union([z.literal(0), z.literal(1)]),
  z.string(),
  z.string().nullable(),
  z.union([z.literal(0), z.literal(1)]),
  ms.nullable(),
  ms,
  ms,
  z.array(licenseTuple),
  // Appended last, so a summary written before it was downloaded still decodes (as no federation id).
  z.string().nullable().optional(),
]);
type UserTuple = z.infer<typeof userTupleSchema>;

const time = (d: Date | null): number | null => (d ? d.getTime() : null);
const date = (t: number | null): Date | null => (t === null ? null : new Date(t));

function encodeUser(u: UserSummary): UserTuple {
  return [
    u.userId,
    u.username,
    u.name,
    u.email,
    u.isActive ? 1 : 0,
    u.userType,
    u.profileName,
    u.apiOnly ? 1 : 0,
    time(u.lastLoginAt),
    u.userCreatedAt.getTime(),
    u.lastSeenAt.getTime(),
    u.licenses.map((l) => [l.identifier, l.assignmentId, l.firstSeenAt.getTime(), time(l.goneAt)]),
    u.federationId,
  ];
}

const text = (v: unknown): v is string => typeof v === 'string';
const textOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const flag = (v: unknown): v is 0 | 1 => v === 0 || v === 1;
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const intOrNull = (v: unknown): v is number | null => v === null || Number.isSafeInteger(v);

function decodeLicense(l: unknown): SummaryLicense | null {
  if (!Array.isArray(l) || l.length !== 4) return null;
  const [identifier, assignmentId, firstSeen, gone] = l as unknown[];
  if (!text(identifier) || !textOrNull(assignmentId) || !int(firstSeen) || !intOrNull(gone)) return null;
  return { identifier, assignmentId, firstSeenAt: new Date(firstSeen), goneAt: date(gone) };
}

/**
 * A stored user checked against `userTupleSchema` and decoded in one pass, by hand: every compute and
 * every re-download reads the whole summary, and zod's parse of it took three times as long as
 * `JSON.parse` (100,000 users: ~320 ms against ~100). A test holds this to zod's verdict on valid
 * and broken tuples. Returns the user, or what does not fit.
 */
export function decodeStoredUser(raw: unknown): UserSummary | string {
  if (!Array.isArray(raw)) return 'not a tuple';
  const t = raw as unknown[];
  if (t.length !== 12 && t.length !== 13) return `a tuple of ${t.length} fields`;
  const [userId, username, name, email, isActive, userType, profileName, apiOnly] = t;
  const [lastLogin, created, lastSeen, licenses] = [t[8], t[9], t[10], t[11]];
  const federationId = t.length === 13 ? t[12] : null;
  if (!text(userId) || !text(username) || !text(userType)) return 'user id, username or type is not text';
  if (!textOrNull(name) || !textOrNull(email) || !textOrNull(profileName) || !textOrNull(federationId))
    return 'name, email, profile or federation id is not text or null';
  if (!flag(isActive) || !flag(apiOnly)) return 'a flag is not 0 or 1';
  if (!intOrNull(lastLogin) || !int(created) || !int(lastSeen)) return 'a time is not an integer';
  if (!Array.isArray(licenses)) return 'licenses are not a list';
  const decoded: SummaryLicense[] = new Array<SummaryLicense>(licenses.length);
  for (let i = 0; i < licenses.length; i += 1) {
    const license = decodeLicense(licenses[i]);
    if (!license) return `license ${i} does not fit`;
    decoded[i] = license;
  }
  return {
    userId,
    username,
    name,
    email,
    federationId,
    isActive: isActive === 1,
    userType,
    profileName,
    apiOnly: apiOnly === 1,
    lastLoginAt: date(lastLogin),
    userCreatedAt: new Date(created),
    lastSeenAt: new Date(lastSeen),
    licenses: decoded,
  };
}

/** One user as the text a user document and a summary entry both hold. */
export function packUser(u: UserSummary): PackedUser {
  return JSON.stringify(encodeUser(u));
}

/**
 * One user's entry kept as its JSON text, decoded when it is needed: a re-download holds the
 * previous snapshot's users this way, at about a third of the memory of decoded objects.
 */
export type PackedUser = string;

export function unpackUser(packed: PackedUser): UserSummary {
  const user = decodeStoredUser(JSON.parse(packed));
  if (typeof user === 'string')
    throw new SeatwiseError('SUMMARY_CORRUPT', 'a subscription summary entry does not decode', {
      issue: user,
    });
  return user;
}

/** One summary entry with only what ordering and counting need read; `tuple` is the entry as stored. */
export interface SummaryEntry {
  userId: string;
  username: string;
  /** Licenses held or recently gone: the user's rows in the subscriptions list. */
  rows: number;
  tuple: readonly unknown[];
}

const corruptChunk = (chunk: number, issue?: string) =>
  new SeatwiseError('SUMMARY_CORRUPT', 'a subscription summary document does not decode', {
    chunk,
    ...(issue ? { issue } : {}),
  });

/** The entries of one summary-encoded list of users (`chunk` names it in an error), undecoded. */
export function parseSummaryEntries(users: string, chunk: number): SummaryEntry[] {
  const entries = JSON.parse(users) as unknown;
  if (!Array.isArray(entries)) throw corruptChunk(chunk);
  return entries.map((e: unknown) => {
    const t = e as unknown[];
    if (!Array.isArray(t) || typeof t[0] !== 'string' || typeof t[1] !== 'string' || !Array.isArray(t[11]))
      throw corruptChunk(chunk);
    return { userId: t[0], username: t[1], rows: t[11].length, tuple: t };
  });
}

/** Every entry of a snapshot's summary, chunk by chunk, without decoding the users. */
export async function* readSummaryEntries(snapshot: SnapshotCollections): AsyncIterable<SummaryEntry[]> {
  for await (const doc of snapshot.summaries.find({}).batchSize(4))
    yield parseSummaryEntries(doc.users, doc._id);
}

export function decodeChunk(doc: SummaryChunkDoc): UserSummary[] {
  const entries = JSON.parse(doc.users) as unknown;
  if (!Array.isArray(entries)) throw corruptChunk(doc._id, 'not a list of users');
  const users: UserSummary[] = new Array<UserSummary>(entries.length);
  for (let i = 0; i < entries.length; i += 1) {
    const user = decodeStoredUser(entries[i]);
    if (typeof user === 'string') throw corruptChunk(doc._id, `user ${i}: ${user}`);
    users[i] = user;
  }
  return users;
}

/**
 * Users and subscription rows (licenses held or recently gone, as the subscriptions list shows
 * them) of a snapshot, from its summary: a few documents, counted without decoding each user.
 */
export async function countSummary(snapshot: SnapshotCollections): Promise<{ users: number; rows: number }> {
  let users = 0;
  let rows = 0;
  for await (const entries of readSummaryEntries(snapshot)) {
    users += entries.length;
    for (const e of entries) rows += e.rows;
  }
  return { users, rows };
}

/** Every chunk of a snapshot's summary, one at a time (a few thousand users each). */
export async function* readSummary(snapshot: SnapshotCollections): AsyncIterable<UserSummary[]> {
  // A handful of large documents: small getMore batches keep the worker's memory flat.
  for await (const doc of snapshot.summaries.find({}).batchSize(4)) yield decodeChunk(doc);
}

/** Collects users and writes them as numbered chunk documents (inserts only, deterministic `_id`s). */
export function createSummaryWriter(
  snapshot: SnapshotCollections,
  usersPerDoc = SUMMARY_USERS_PER_DOC,
): { add(users: readonly PackedUser[]): Promise<number>; finish(): Promise<number> } {
  let buffer: PackedUser[] = [];
  let next = 0;
  const flush = async (): Promise<number> => {
    if (buffer.length === 0) return 0;
    const doc: SummaryChunkDoc = { _id: next, users: `[${buffer.join(',')}]` };
    next += 1;
    buffer = [];
    await snapshot.summaries.insertOne(doc);
    return 1;
  };
  return {
    async add(users) {
      let written = 0;
      for (const u of users) {
        buffer.push(u);
        if (buffer.length >= usersPerDoc) written += await flush();
      }
      return written;
    },
    finish: flush,
  };
}
