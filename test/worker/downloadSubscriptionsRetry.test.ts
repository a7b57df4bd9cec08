import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { allSubscriptionRows, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';

let f: ProfileFixture;

beforeAll(async () => {
  // Pages of 200 users: the fault on follow-up pages (`/query/<locator>`) breaks the download after
  // the first page of users was written.
  f = await createProfileFixture({
    label: 'dlretry',
    org: { users: 600, seed: 4 },
    salesforce: { breakerFailures: 1, breakerResetMs: 100 },
  });
});
afterAll(async () => f.close());

describe('downloadSubscriptions retried after failing halfway', () => {
  it('when a download fails after writing part of the snapshot and is run again, then every subscription is there exactly once', async () => {
    const processor = createDownloadSubscriptionsProcessor(f.deps, { pageSize: 200 });
    await f.runJob('downloadSubscriptions', processor);
    const firstSyncId = (await f.models.IntegrationProfile.findById(f.profileId).lean())?.activeSyncId;
    const firstCount = await snapshotOf(f.models, f.profileId, firstSyncId ?? '').users.countDocuments({});

    const runId = f.newRunId();
    f.sim.admin.addFault({ kind: 'serverError', orgId: f.org.orgId, path: '/query/01g', count: 1_000 });
    await expect(f.runJob('downloadSubscriptions', processor, runId)).rejects.toThrow();
    const partial = await snapshotOf(f.models, f.profileId, runId).users.countDocuments({});
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(firstCount);
    expect((await f.models.IntegrationProfile.findById(f.profileId).lean())?.activeSyncId).toBe(firstSyncId);

    f.sim.admin.clearFaults(f.org.orgId);
    const deadline = Date.now() + 10_000;
    let outcome: Awaited<ReturnType<ProfileFixture['runJob']>> | null = null;
    // The breaker opened on the fault; retry as BullMQ would once the org is callable again.
    while (!outcome) {
      try {
        outcome = await f.runJob('downloadSubscriptions', processor, runId);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    expect((await f.models.IntegrationProfile.findById(f.profileId).lean())?.activeSyncId).toBe(runId);
    const snapshot = snapshotOf(f.models, f.profileId, runId);
    expect(await snapshot.users.countDocuments({})).toBe(firstCount);
    const rows = await allSubscriptionRows(snapshot);
    expect(rows.every((r) => r.syncId === runId)).toBe(true);
    expect(rows.filter((r) => r.goneAt !== null)).toHaveLength(0);
    expect(new Set(rows.map((r) => r._id)).size).toBe(rows.length);
    const truth = f.sim.admin.truth(f.org.orgId);
    expect(rows.filter((r) => r.identifier.startsWith('UL:'))).toHaveLength(truth.users);
    // The first sync's snapshot is gone: only the retried one is left.
    expect(await snapshotOf(f.models, f.profileId, firstSyncId ?? '').users.countDocuments({})).toBe(0);
  }, 90_000);
});
