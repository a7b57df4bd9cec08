/**
 * The candidates list's default order, read bucket by bucket (`candidateListing.ts`): what an admin
 * paging through the list sees, against the candidates as stored, after computes, decisions and a
 * compute that died half-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidatesQuery, listCandidates } from '../../api/services/results.service.js';
import { firstFreePosition, listingPosition } from '../../shared/db/candidateListing.js';
import { rawDb } from '../../shared/db/models.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { LIST_BUCKET_ROWS } from '../../shared/db/engineQuirks.js';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';

let f: ProfileFixture;
const now = new Date();

interface Item {
  id: string;
  userId: string;
  status: string;
  createdAt: string | Date;
}

const compute = () =>
  f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps, { now: () => now }));

async function page(query: Record<string, string>) {
  const q = candidatesQuery.parse(query);
  return (await listCandidates({ models: f.models }, f.profileId, q)) as { items: Item[]; total: number };
}

/** Every row of the default order (or `sort`), paged `limit` at a time as an admin would. */
async function walk(limit: number, sort?: string): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = 0;
  for (let offset = 0; ; offset += limit) {
    const p = await page({ offset: String(offset), limit: String(limit), ...(sort ? { sort } : {}) });
    total = p.total;
    ids.push(...p.items.map((c) => c.id));
    if (p.items.length < limit) break;
  }
  return { ids, total };
}

const stored = async () =>
  (await candidatesOf(f.models, f.profileId).find({}, { _id: 1, createdAt: 1 }).lean()).map((c) => ({
    id: c._id,
    at: new Date(c.createdAt as Date).getTime(),
  }));

const ledgerHead = () =>
  rawDb(f.models)
    .collection<{ _id: string; listed?: number }>('candidate_ledgers')
    .findOne({ _id: `${f.profileId}:head` });

beforeAll(async () => {
  f = await createProfileFixture({ label: 'listing', org: { users: 600, seed: 11 } });
  // Lifted later, so that a second compute finds candidates the first did not.
  await f.models.ExclusionRule.create({
    profileId: f.profileId,
    kind: 'identifier',
    value: 'ul:sfdc',
    createdBy: 'test',
  });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  await compute();
});
afterAll(async () => f?.close());

describe('the candidates list in its default order', () => {
  it('when an admin pages through it, then every candidate shows exactly once, oldest first, and newest first is the exact reverse', async () => {
    const all = await stored();
    expect(all.length).toBeGreaterThan(2 * LIST_BUCKET_ROWS);
    expect((await ledgerHead())?.listed).toBe(all.length);
    const forward = await walk(37);
    expect(forward.total).toBe(all.length);
    expect(forward.ids).toHaveLength(all.length);
    expect(new Set(forward.ids)).toEqual(new Set(all.map((c) => c.id)));
    const backward = await walk(101, '-createdAt');
    expect(backward.ids).toEqual([...forward.ids].reverse());
    expect((await walk(500, 'createdAt')).ids).toEqual(forward.ids);
    const past = await page({ offset: String(all.length + 5), limit: '10' });
    expect(past).toMatchObject({ items: [], total: all.length });
  });

  it('when candidates are decided, then they keep their place and show their new status', async () => {
    const before = await walk(100);
    const some = (await page({ limit: '1', offset: '20' })).items[0]!;
    const approved = await approveCandidates(f.models, f.profileId, { userId: some.userId });
    expect(approved.length).toBeGreaterThan(0);
    const after = await walk(100);
    expect(after.ids).toEqual(before.ids);
    const first = await page({ limit: '500' });
    const ready = first.items.filter((c) => c.status === 'ready').map((c) => c.id);
    expect(ready.sort()).toEqual(approved.map((a) => a._id).sort());
  });

  it('when a later compute finds new candidates, then they come after every earlier one, none twice, and the total counts them', async () => {
    const before = await walk(100);
    await f.models.ExclusionRule.deleteMany({ profileId: f.profileId, kind: 'identifier' });
    const outcome = await compute();
    const created = (outcome.result as { created: number }).created;
    expect(created).toBeGreaterThan(20);
    const after = await walk(100);
    expect(after.total).toBe(before.total + created);
    expect(after.ids.slice(0, before.ids.length)).toEqual(before.ids);
    expect(new Set(after.ids).size).toBe(after.ids.length);
    expect(new Set(after.ids)).toEqual(new Set((await stored()).map((c) => c.id)));
  });

  it('when a compute died after inserting candidates, then the next positions start past the ones it took', async () => {
    const head = await ledgerHead();
    const listed = head?.listed ?? -1;
    expect(listed).toBeGreaterThan(0);
    expect(await firstFreePosition(candidatesOf(f.models, f.profileId).collection, listed)).toBe(listed);
    // What the dead compute left: two candidates at positions past the ledger's.
    const stray = (await candidatesOf(f.models, f.profileId).findOne({}).lean())!;
    const taken = [listed, listed + LIST_BUCKET_ROWS + 3];
    await candidatesOf(f.models, f.profileId).insertMany(
      taken.map((seq, i) => ({
        ...stray,
        _id: `${stray._id}|stray${i}`,
        ...listingPosition(seq),
      })),
    );
    expect(await firstFreePosition(candidatesOf(f.models, f.profileId).collection, listed)).toBe(
      taken[1]! + 1,
    );
    await candidatesOf(f.models, f.profileId).deleteMany({
      _id: { $in: taken.map((_, i) => `${stray._id}|stray${i}`) },
    });
  });

  it('when the ledger does not vouch for every candidate (computed before positions existed), then the list is sorted as stored and still whole', async () => {
    await rawDb(f.models)
      .collection<{ _id: string }>('candidate_ledgers')
      .updateOne({ _id: `${f.profileId}:head` }, { $unset: { listed: '' } });
    const all = await stored();
    const listing = await walk(250);
    expect(listing.total).toBe(all.length);
    expect(new Set(listing.ids)).toEqual(new Set(all.map((c) => c.id)));
    const times = (await page({ limit: '500' })).items.map((c) => new Date(c.createdAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
