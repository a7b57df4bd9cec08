import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { subscriptionsOf } from '../../shared/db/profileCollections.js';

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
    const firstCount = await subscriptionsOf(f.models, f.profileId).countDocuments({ syncId: firstSyncId });

    const runId = f.newRunId();
    f.sim.admin.addFault({ kind: 'serverError', orgId: f.org.orgId, path: '/query/01g', count: 1_000 });
    await expect(f.runJob('downloadSubscriptions', processor, runId)).rejects.toThrow();
    const partial = await subscriptionsOf(f.models, f.profileId).countDocuments({ syncId: runId });
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
    const rows = await subscriptionsOf(f.models, f.profileId)
      .find({}, { _id: 1, syncId: 1, goneAt: 1, firstSeenAt: 1 })
      .lean();
    expect(rows.every((r) => r.syncId === runId)).toBe(true);
    expect(rows).toHaveLength(firstCount);
    expect(rows.filter((r) => r.goneAt !== null)).toHaveLength(0);
    const truth = f.sim.admin.truth(f.org.orgId);
    const userSeats = await subscriptionsOf(f.models, f.profileId).countDocuments({ identifier: /^UL:/ });
    expect(userSeats).toBe(truth.users);
  }, 90_000);
});
