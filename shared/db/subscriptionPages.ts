/**
 * The subscriptions list's default order (username, then user id; each user's licenses in the
 * order stored), written once per snapshot as pages of `LIST_BUCKET_ROWS` rows in a collection of
 * the snapshot's own (`subscriptionSnapshots.ts`). Page `b` holds, packed, every user with a row
 * among rows `b × R … (b + 1) × R`, and how many of its first user's rows belong to the page
 * before. A page of the list is then one or a few `_id` reads of a small collection, where a sorted
 * and skipped `find` made FerretDB decode and sort every user (~10 s a page at 100,000 users, the
 * last page past the api's time limit). The head (`_id` -1) is written last: a snapshot whose pages
 * were never finished has none, and is listed the slow way.
 *
 * The order needs every user sorted, and a big org's users do not fit in a worker's heap: users
 * are sorted a range of usernames at a time, each range holding at most about `usersPerPass` users
 * (a sample of the usernames, taken by the download as users go by, sets the ranges), so memory
 * stays flat whatever the org's size. One read of the summary stages each user in its range's
 * staging documents (in the pages collection, deleted as each range is paged); each range is then
 * read from its own. Reading the whole summary once per range instead took 77 s of a
 * 1,000,000-user download (seven reads of ~200 MB).
 */
import { LIST_BUCKET_ROWS } from './engineQuirks.js';
import {
  decodeChunk,
  parseSummaryEntries,
  readSummaryEntries,
  type SummaryEntry,
} from './subscriptionSummary.js';
import type { SnapshotCollections } from './subscriptionSnapshots.js';
import type { UserSummary } from './subscriptionSummary.js';

/**
 * Users one pass sorts in memory (~380 bytes each on the heap, packed with their key). At 200,000
 * (ranges of ~167,000 at a million users) the pass took a worker from 208 to 304 MB RSS; more,
 * smaller ranges cost one more read of the staging documents each.
 */
export const USERS_PER_PASS = 100_000;

/** Page documents per insert: ~10 KB each. */
const PAGES_PER_INSERT = 100;

const HEAD_ID = -1;

export interface SubscriptionPageDoc {
  _id: number;
  /** Rows of the first user that belong to earlier pages. */
  skip: number;
  /** The page's users, as the summary encodes a chunk of them. */
  users: string;
}

export interface SubscriptionPagesHead {
  _id: typeof HEAD_ID;
  rows: number;
  users: number;
  pages: number;
}

/** Users of one username range waiting to be sorted, encoded as a summary chunk. */
export interface StagedUsersDoc {
  _id: string;
  stage: number;
  users: string;
}

export type PagesDoc = SubscriptionPageDoc | SubscriptionPagesHead | StagedUsersDoc;

/** Users per staging document, as many as a summary document holds. */
const STAGED_USERS_PER_DOC = 2_000;

/** Keys a sample keeps at most before it keeps every other one: ~256 per range at 256 ranges. */
const MAX_SAMPLE = 65_536;

type Key = readonly [username: string, userId: string];

const compareKeys = (a: Key, b: Key): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

const keyOf = (e: Pick<SummaryEntry, 'username' | 'userId'>): Key => [e.username, e.userId];

type PackedEntry = Omit<SummaryEntry, 'tuple'> & { packed: string };

/** Every user's key seen once, in any order: a sample of them sets the username ranges. */
export class UserKeySample {
  private keys: Key[] = [];
  private every = 1;
  private seen = 0;

  add(username: string, userId: string): void {
    if (this.seen % this.every === 0) this.keys.push([username, userId]);
    this.seen += 1;
    if (this.keys.length >= MAX_SAMPLE) {
      // Too many: keep every other one and sample half as often from now on.
      this.keys = this.keys.filter((_, i) => i % 2 === 0);
      this.every *= 2;
    }
  }

  /**
   * Bounds between consecutive username ranges of about `usersPerPass` users each (the lower bound
   * included in its range); none when one range holds every user.
   */
  bounds(usersPerPass: number): Key[] {
    if (this.seen <= usersPerPass) return [];
    // One range more than the share strictly needs: sampling error stays within budget.
    const ranges = Math.ceil(this.seen / usersPerPass) + 1;
    const sorted = [...this.keys].sort(compareKeys);
    const bounds: Key[] = [];
    for (let r = 1; r < ranges; r += 1) bounds.push(sorted[Math.floor((r * sorted.length) / ranges)] as Key);
    return bounds;
  }
}

/** The sample, read from the summary: for a snapshot whose download did not take one. */
async function sampleOf(snapshot: SnapshotCollections): Promise<UserKeySample> {
  const sample = new UserKeySample();
  for await (const entries of readSummaryEntries(snapshot))
    for (const e of entries) sample.add(e.username, e.userId);
  return sample;
}

/** The range a key falls in: how many bounds are at or below it. */
function rangeOf(key: Key, bounds: readonly Key[]): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(key, bounds[mid] as Key) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const packedOf = (e: SummaryEntry): PackedEntry => ({
  userId: e.userId,
  username: e.username,
  rows: e.rows,
  packed: JSON.stringify(e.tuple),
});

/** One read of the summary puts each user, as its stored text, in its range's staging documents. */
async function stageByRange(snapshot: SnapshotCollections, bounds: readonly Key[]): Promise<void> {
  const staged: string[][] = Array.from({ length: bounds.length + 1 }, () => []);
  let written = 0;
  const flush = async (range: number) => {
    const users = staged[range] as string[];
    if (users.length === 0) return;
    staged[range] = [];
    await snapshot.pages.insertOne({
      _id: `stage:${range}:${written}`,
      stage: range,
      users: `[${users.join(',')}]`,
    });
    written += 1;
  };
  for await (const entries of readSummaryEntries(snapshot))
    for (const e of entries) {
      const range = rangeOf(keyOf(e), bounds);
      const users = staged[range] as string[];
      users.push(JSON.stringify(e.tuple));
      if (users.length >= STAGED_USERS_PER_DOC) await flush(range);
    }
  for (let range = 0; range < staged.length; range += 1) await flush(range);
}

/** A range's staged users, read back and sorted; its staging documents are then deleted. */
async function takeStaged(snapshot: SnapshotCollections, range: number): Promise<PackedEntry[]> {
  const kept: PackedEntry[] = [];
  // `stage` equality is pushed down on FerretDB; a few large documents per batch keep memory flat.
  for await (const doc of snapshot.pages.find({ stage: range }).batchSize(4)) {
    const staged = doc as StagedUsersDoc;
    for (const e of parseSummaryEntries(staged.users, -1)) kept.push(packedOf(e));
  }
  await snapshot.pages.deleteMany({ stage: range });
  return kept.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
}

function createPageWriter(snapshot: SnapshotCollections, rowsPerPage: number) {
  const pages = snapshot.pages;
  let row = 0;
  let users = 0;
  let written = 0;
  let current: { _id: number; skip: number; users: string[] } | null = null;
  let done: SubscriptionPageDoc[] = [];
  const flush = async () => {
    if (done.length === 0) return;
    const batch = done;
    done = [];
    await pages.insertMany(batch);
    written += batch.length;
  };
  const close = () => {
    if (current) done.push({ _id: current._id, skip: current.skip, users: `[${current.users.join(',')}]` });
    current = null;
  };
  return {
    async add(entry: PackedEntry): Promise<void> {
      users += 1;
      const end = row + entry.rows;
      for (let first = row; first < end;) {
        const page = Math.floor(first / rowsPerPage);
        if (current?._id !== page) {
          close();
          current = { _id: page, skip: first - row, users: [] };
        }
        current.users.push(entry.packed);
        first = (page + 1) * rowsPerPage;
      }
      row = end;
      if (done.length >= PAGES_PER_INSERT) await flush();
    },
    async finish(): Promise<number> {
      close();
      await flush();
      const head: SubscriptionPagesHead = { _id: HEAD_ID, rows: row, users, pages: written };
      await pages.insertOne(head);
      return written + 1;
    },
  };
}

/**
 * Writes the snapshot's pages from its summary (the summary must be complete); returns the
 * documents written. Idempotent only over an empty pages collection: a download that died part
 * way drops its whole snapshot before it starts over.
 */
export async function writeSubscriptionPages(
  snapshot: SnapshotCollections,
  options: {
    /** The summary's user count, when known: a small snapshot then needs no sample. */
    users?: number;
    /** Every user's key, taken as the download wrote them: spares a read of the summary. */
    sample?: UserKeySample;
    usersPerPass?: number;
    rowsPerPage?: number;
  } = {},
): Promise<number> {
  const usersPerPass = options.usersPerPass ?? USERS_PER_PASS;
  const writer = createPageWriter(snapshot, options.rowsPerPage ?? LIST_BUCKET_ROWS);
  const small = options.users !== undefined && options.users <= usersPerPass;
  const bounds = small ? [] : (options.sample ?? (await sampleOf(snapshot))).bounds(usersPerPass);
  if (bounds.length === 0) {
    // Kept as their stored text: a decoded entry takes two to three times the memory.
    const kept: PackedEntry[] = [];
    for await (const entries of readSummaryEntries(snapshot)) for (const e of entries) kept.push(packedOf(e));
    kept.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
    for (const e of kept) await writer.add(e);
    return writer.finish();
  }
  await stageByRange(snapshot, bounds);
  for (let range = 0; range <= bounds.length; range += 1)
    for (const e of await takeStaged(snapshot, range)) await writer.add(e);
  return writer.finish();
}

export async function readPagesHead(snapshot: SnapshotCollections): Promise<SubscriptionPagesHead | null> {
  return (await snapshot.pages.findOne({ _id: HEAD_ID })) as SubscriptionPagesHead | null;
}

/** One user with the rows of it that fall on a page. */
export interface PagedUser {
  user: UserSummary;
  /** Index of the user's first license on this page, and how many follow. */
  from: number;
  count: number;
}

/**
 * Rows `offset … offset + limit` of the default order, as users with the slice of their licenses
 * that falls on it, in order. A page the head promises but cannot be read is an error: the
 * snapshot is being dropped, or was damaged.
 */
export async function readPagedUsers(
  snapshot: SnapshotCollections,
  head: SubscriptionPagesHead,
  offset: number,
  limit: number,
  rowsPerPage = LIST_BUCKET_ROWS,
): Promise<PagedUser[]> {
  const from = Math.min(offset, head.rows);
  const to = Math.min(offset + limit, head.rows);
  if (to <= from) return [];
  const first = Math.floor(from / rowsPerPage);
  const last = Math.floor((to - 1) / rowsPerPage);
  const ids = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  // `_id` equality per page: pushed down on FerretDB, where `$in` would decode every page.
  const docs = await Promise.all(ids.map((id) => snapshot.pages.findOne({ _id: id })));
  const out: PagedUser[] = [];
  let row = 0;
  docs.forEach((doc, i) => {
    if (!doc || doc._id === HEAD_ID) throw new Error(`subscription page ${ids[i]} is missing`);
    const page = doc as SubscriptionPageDoc;
    row = page._id * rowsPerPage;
    const pageEnd = row + rowsPerPage;
    decodeChunk({ _id: page._id, users: page.users }).forEach((user, u) => {
      const start = u === 0 ? page.skip : 0;
      const count = Math.min(user.licenses.length - start, pageEnd - row);
      const lo = Math.max(from - row, 0);
      const hi = Math.min(to - row, count);
      if (hi > lo) out.push({ user, from: start + lo, count: hi - lo });
      row += count;
    });
  });
  return out;
}
