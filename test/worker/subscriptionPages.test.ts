/**
 * The subscriptions list's default order from the pages a download writes (`subscriptionPages.ts`):
 * every page an admin can ask for is the page the sorted read gives, at any offset and size, also
 * when the users are ordered a range at a time and users straddle pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSubscriptions, subscriptionsQuery } from '../../api/services/results.service.js';
import { plain } from '../../api/services/plain.js';
import { rawDb } from '../../shared/db/models.js';
import {
  readPagedUsers,
  readPagesHead,
  UserKeySample,
  writeSubscriptionPages,
  type PagesDoc,
} from '../../shared/db/subscriptionPages.js';
import { readSummary } from '../../shared/db/subscriptionSummary.js';
import {
  countSubscriptionRows,
  listSubscriptionRows,
  rowsOfUser,
  snapshotOf,
  type SnapshotCollections,
} from '../../shared/db/subscriptionSnapshots.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';

let f: ProfileFixture;
let snapshot: SnapshotCollections;

beforeAll(async () => {
  f = await createProfileFixture({ label: 'subpages', org: { users: 400, seed: 21 } });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
  snapshot = snapshotOf(f.models, f.profileId, profile!.activeSyncId!);
});
afterAll(async () => f?.close());

const viaApi = async (query: Record<string, string>) =>
  (await listSubscriptions({ models: f.models }, f.profileId, subscriptionsQuery.parse(query))) as {
    items: unknown[];
    total: number;
  };

/** The same rows the slow way: every user sorted by the database, then skipped. */
const sorted = async (offset: number, limit: number) =>
  (await listSubscriptionRows(snapshot, {}, { username: 1, _id: 1 }, offset, limit, () => null)).map(plain);

describe('subscription pages', () => {
  it('when a download finishes, then its pages hold every row, and each page of the list is the sorted one, at any offset and size', async () => {
    const head = await readPagesHead(snapshot);
    const total = await countSubscriptionRows(snapshot.users, {});
    expect(head).toMatchObject({ rows: total });
    expect(total).toBeGreaterThan(300);
    for (const [offset, limit] of [
      [0, 100],
      [0, 1],
      [37, 250],
      [99, 2],
      [total - 100, 100],
      [total - 3, 50],
    ] as const) {
      const page = await viaApi({ offset: String(offset), limit: String(limit) });
      expect(page.total).toBe(total);
      // The models of the api's rows are the profile's; the slow read here names none.
      const items = page.items.map((row) => ({ ...(row as object), modelId: null }));
      expect(items).toEqual(await sorted(offset, limit));
    }
    expect((await viaApi({ offset: String(total), limit: '10' })).items).toEqual([]);
    const byUsername = await viaApi({ sort: 'username', offset: '10', limit: '20' });
    expect(byUsername.items.map((r) => (r as { id: string }).id)).toEqual(
      (await sorted(10, 20)).map((r) => (r as { id: string }).id),
    );
  });

  it('when the users are ordered a range at a time and pages are small, then reading every page gives every row once, in order', async () => {
    const rowsPerPage = 7;
    const pages = rawDb(f.models).collection<PagesDoc>(`subscription_pages_test_${Date.now()}`);
    const ranged = { ...snapshot, pages };
    const users = await snapshot.users.countDocuments({});
    const written = await writeSubscriptionPages(ranged, { usersPerPass: 60, rowsPerPage });
    const head = (await readPagesHead(ranged))!;
    expect(head).toMatchObject({ users, pages: written - 1 });
    const all = await sorted(0, head.rows);
    const read = async (offset: number, limit: number) =>
      (await readPagedUsers(ranged, head, offset, limit, rowsPerPage))
        .flatMap((p) => rowsOfUser(snapshot, p.user, () => null, p.from, p.count))
        .map(plain);
    const walked: unknown[] = [];
    for (let offset = 0; offset < head.rows; offset += 13) walked.push(...(await read(offset, 13)));
    expect(walked).toEqual(all);
    expect(await read(5, 3 * rowsPerPage)).toEqual(all.slice(5, 5 + 3 * rowsPerPage));
    // The users staged by range are gone once their range is paged.
    expect(await pages.countDocuments({ stage: { $exists: true } })).toBe(0);
    // Ranges set by a sample the download took as users went by: the same pages.
    const sample = new UserKeySample();
    for await (const chunk of readSummary(snapshot)) for (const u of chunk) sample.add(u.username, u.userId);
    expect(sample.bounds(60).length).toBeGreaterThan(2);
    const sampledPages = rawDb(f.models).collection<PagesDoc>(`subscription_pages_sampled_${Date.now()}`);
    await writeSubscriptionPages(
      { ...snapshot, pages: sampledPages },
      { usersPerPass: 60, rowsPerPage, sample },
    );
    const byId = { sort: { _id: 1 } } as const;
    expect(await sampledPages.find({}, byId).toArray()).toEqual(await pages.find({}, byId).toArray());
    await Promise.all([pages.drop(), sampledPages.drop()]);
  });

  it('when a snapshot has no finished pages, then the list is read the slow way and is the same', async () => {
    const fast = await viaApi({ offset: '50', limit: '40' });
    await snapshot.pages.deleteOne({ _id: -1 });
    expect(await readPagesHead(snapshot)).toBeNull();
    const slow = await viaApi({ offset: '50', limit: '40' });
    expect(slow).toEqual(fast);
  });
});
