/**
 * A profile's subscriptions are snapshots, one per download (`syncId`), each in two collections of
 * its own: `software_subscriptions_<profileId>_<syncId>` (one document per user, holding the
 * user's licenses) and `subscription_summaries_<profileId>_<syncId>` (the same users packed into a
 * few documents, what computeCandidates and the next download read). The profile's `activeSyncId`
 * names the current snapshot; the others are dropped once a download has switched to its own.
 *
 * Why collections per snapshot: a download only ever inserts, and the clean-up of the previous
 * snapshot is a drop (one statement on both engines) instead of a delete that FerretDB answers
 * document by document (the re-sync of a 12,000-user org spent most of its time there).
 */
import type { Collection, Db, Document, ObjectId } from 'mongodb';
import type { Models } from './models.js';
import { isFerretdb } from './models.js';
import {
  subscriptionRowId,
  type SubscriptionRow,
  type UserSubscriptionDoc,
} from './models/softwareSubscription.model.js';
import type { PagesDoc } from './subscriptionPages.js';
import { unpackUser, type UserSummary } from './subscriptionSummary.js';

type ProfileId = ObjectId | string;

const USERS = 'software_subscriptions';
const SUMMARIES = 'subscription_summaries';
const PAGES = 'subscription_pages';

/** A summary document: `users` is `subscriptionSummary.ts`'s encoding of up to a few thousand users. */
export interface SummaryChunkDoc {
  _id: number;
  users: string;
}

export interface SnapshotCollections {
  profileId: ProfileId;
  syncId: string;
  users: Collection<UserSubscriptionDoc>;
  summaries: Collection<SummaryChunkDoc>;
  /** The list's default order in pages (`subscriptionPages.ts`). */
  pages: Collection<PagesDoc>;
}

function dbOf(models: Models): Db {
  const db = models.IntegrationProfile.db.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  return db;
}

const prefixesOf = (profileId: ProfileId): string[] =>
  [USERS, SUMMARIES, PAGES].map((kind) => `${kind}_${String(profileId)}_`);

export function snapshotCollectionNames(profileId: ProfileId, syncId: string): string[] {
  return prefixesOf(profileId).map((prefix) => `${prefix}${syncId}`);
}

export function snapshotOf(models: Models, profileId: ProfileId, syncId: string): SnapshotCollections {
  const db = dbOf(models);
  const [users, summaries, pages] = snapshotCollectionNames(profileId, syncId) as [string, string, string];
  return {
    profileId,
    syncId,
    users: db.collection<UserSubscriptionDoc>(users),
    summaries: db.collection<SummaryChunkDoc>(summaries),
    pages: db.collection<PagesDoc>(pages),
  };
}

/**
 * Indexes of a snapshot's user documents, for the list endpoints' filters and sorts, on MongoDB
 * only (FerretDB never reads them, `engineQuirks.ts`). Created before the first insert.
 */
export async function ensureSnapshotIndexes(models: Models, snapshot: SnapshotCollections): Promise<void> {
  if (await isFerretdb(models)) return;
  await snapshot.users.createIndexes([
    { key: { username: 1, _id: 1 } },
    { key: { identifiers: 1, username: 1 } },
    { key: { lastLoginAt: 1, _id: 1 } },
    { key: { userCreatedAt: 1, _id: 1 } },
    { key: { isActive: 1, username: 1 } },
  ]);
}

async function dropIfPresent(db: Db, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const present = new Set(
    (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name as string),
  );
  for (const name of names) if (present.has(name)) await db.collection(name).drop();
}

/** Drops one snapshot (all its collections); a snapshot never written is fine. */
export async function dropSnapshot(models: Models, profileId: ProfileId, syncId: string): Promise<void> {
  await dropIfPresent(dbOf(models), snapshotCollectionNames(profileId, syncId));
}

/** Every snapshot collection of the profile (but `keepSyncId`'s), whatever its sync id. */
export async function dropAllSnapshots(
  models: Models,
  profileId: ProfileId,
  keepSyncId: string | null = null,
): Promise<void> {
  const db = dbOf(models);
  const prefixes = prefixesOf(profileId);
  const keep = new Set(keepSyncId ? snapshotCollectionNames(profileId, keepSyncId) : []);
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name as string)
    .filter((name) => !keep.has(name) && prefixes.some((prefix) => name.startsWith(prefix)));
  await dropIfPresent(db, names);
}

/** Flattens one user document into its rows (the api's view), one per license held or gone. */
export function rowsOfUserDoc(
  snapshot: Pick<SnapshotCollections, 'profileId' | 'syncId'>,
  doc: UserSubscriptionDoc,
  modelIdOf: (identifier: string) => ObjectId | null = () => null,
): SubscriptionRow[] {
  return rowsOfUser(snapshot, unpackUser(doc.user), modelIdOf);
}

/** One user's rows, one per license held or gone (a slice of them: a page's share). */
export function rowsOfUser(
  snapshot: Pick<SnapshotCollections, 'profileId' | 'syncId'>,
  summary: UserSummary,
  modelIdOf: (identifier: string) => ObjectId | null,
  from = 0,
  count = summary.licenses.length,
): SubscriptionRow[] {
  const { licenses: all, ...user } = summary;
  const licenses = all.slice(from, from + count);
  const profileId = snapshot.profileId as ObjectId;
  return licenses.map((l) => ({
    ...user,
    _id: subscriptionRowId(snapshot.syncId, user.userId, l.identifier),
    profileId,
    syncId: snapshot.syncId,
    identifier: l.identifier,
    modelId: modelIdOf(l.identifier),
    assignmentId: l.assignmentId,
    firstSeenAt: l.firstSeenAt,
    goneAt: l.goneAt,
  }));
}

export interface RowQuery {
  identifier?: string;
  userId?: string;
  username?: string;
  isActive?: boolean;
}

function userFilter(q: RowQuery): Document {
  const users: Document = {};
  if (q.userId) users._id = q.userId;
  if (q.username) users.username = q.username;
  if (q.isActive !== undefined) users.isActive = q.isActive;
  // Equality with an array field matches an element (pushed down by FerretDB's PostgreSQL handler).
  if (q.identifier) users.identifiers = q.identifier;
  return users;
}

const unwound = (q: RowQuery): Document[] => [
  { $match: userFilter(q) },
  { $unwind: '$identifiers' },
  ...(q.identifier ? [{ $match: { identifiers: q.identifier } }] : []),
];

/** Sort keys of the row view that are the user document's own fields. */
const USER_LEVEL_SORT = new Set(['username', 'lastLoginAt', 'userCreatedAt']);

/** Rows `skip` … `skip + limit` of a stream of rows. */
async function slice(
  rows: AsyncIterable<SubscriptionRow>,
  skip: number,
  limit: number,
): Promise<SubscriptionRow[]> {
  const page: SubscriptionRow[] = [];
  let index = 0;
  for await (const row of rows) {
    if (index >= skip) page.push(row);
    index += 1;
    if (page.length >= limit) break;
  }
  return page;
}

/**
 * A page of rows. Rows are flattened here, not by `$unwind`: FerretDB 1.24's `$unwind` keeps only
 * `_id` and the unwound field (`engineQuirks.ts`). A user-level sort walks the user documents in
 * that order (an index on MongoDB) and stops at the page's end; each user's licenses stay
 * together in their stored order. A sort by identifier walks one identifier at a time.
 */
export async function listSubscriptionRows(
  snapshot: SnapshotCollections,
  q: RowQuery,
  sort: Record<string, 1 | -1>,
  skip: number,
  limit: number,
  modelIdOf: (identifier: string) => ObjectId | null,
): Promise<SubscriptionRow[]> {
  const { users } = snapshot;
  const [field, direction] = (Object.entries(sort)[0] ?? ['username', 1]) as [string, 1 | -1];
  const wanted = (identifier: string) => !q.identifier || identifier === q.identifier;
  async function* walk(filter: Document, order: Document, only: (identifier: string) => boolean) {
    for await (const doc of users.find(filter).sort(order))
      for (const row of rowsOfUserDoc(snapshot, doc, modelIdOf)) if (only(row.identifier)) yield row;
  }
  if (USER_LEVEL_SORT.has(field))
    return slice(walk(userFilter(q), { [field]: direction, _id: direction }, wanted), skip, limit);
  const identifiers = (
    await users.aggregate<{ _id: string }>([...unwound(q), { $group: { _id: '$identifiers' } }]).toArray()
  )
    .map((g) => g._id)
    .sort();
  if (direction === -1) identifiers.reverse();
  async function* byIdentifier() {
    for (const identifier of identifiers)
      yield* walk(
        { ...userFilter(q), identifiers: identifier },
        { username: 1, _id: 1 },
        (i) => i === identifier,
      );
  }
  return slice(byIdentifier(), skip, limit);
}

export async function countSubscriptionRows(
  users: Collection<UserSubscriptionDoc>,
  q: RowQuery,
): Promise<number> {
  const [counted] = await users.aggregate<{ n: number }>([...unwound(q), { $count: 'n' }]).toArray();
  return counted?.n ?? 0;
}

/** Every row of a snapshot (tests and small tools; the hot paths never flatten a whole snapshot). */
export async function allSubscriptionRows(snapshot: SnapshotCollections): Promise<SubscriptionRow[]> {
  return (await snapshot.users.find({}).toArray()).flatMap((doc) => rowsOfUserDoc(snapshot, doc));
}
