import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { expectSubscriptionsMatchTruth, type TruthRow } from '../helpers/orgTruthAssertions.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { allSubscriptionRows, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';

/** Re-downloading reads the previous snapshot; on FerretDB under a loaded CI box that takes a while. */
const SLOW_TEST_MS = 90_000;

interface Row extends TruthRow {
  assignmentId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  syncId: string;
}

async function activeRows(f: ProfileFixture): Promise<Row[]> {
  const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
  if (!profile?.activeSyncId) return [];
  return allSubscriptionRows(snapshotOf(f.models, f.profileId, profile.activeSyncId));
}

describe('downloadSubscriptions over REST', () => {
  let f: ProfileFixture;
  beforeAll(async () => {
    f = await createProfileFixture({ label: 'dlrest', org: { users: 700, seed: 21 } });
  });
  afterAll(async () => f.close());

  it('when an org is downloaded, then subscriptions match the simulator truth and models, rules and unrecognized identifiers exist', async () => {
    const outcome = await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
    const truth = f.sim.admin.truth(f.org.orgId);
    expectSubscriptionsMatchTruth(await activeRows(f), truth);
    expect(outcome.result).toMatchObject({ api: 'rest', users: 700 });
    expect(outcome.counts.apiCalls).toBeGreaterThan(0);

    const models = await f.models.SoftwareModel.find({ profileId: f.profileId }).lean();
    const products = new Set(models.map((m) => m.product));
    for (const product of [
      'Sales Cloud',
      'Service Cloud',
      'Platform',
      'Customer Community',
      'Partner Community',
      'Company Community',
      'Chatter',
    ]) {
      expect(products).toContain(product);
    }
    const sales = models.find((m) => m.identifier === 'UL:SFDC');
    const service = models.find((m) => m.identifier === 'UL:SFDC:ServiceCloud');
    const sfdc = truth.licenses.find((l) => l.licenseDefinitionKey === 'SFDC');
    expect((sales?.assignedCount ?? 0) + (service?.assignedCount ?? 0)).toBe(sfdc?.activeUsers);
    const rules = await f.models.ReclamationRule.find({ profileId: f.profileId }).lean();
    expect(rules.find((r) => r.identifier === 'UL:SFDC')).toMatchObject({
      thresholdDays: 60,
      graceDays: 30,
      action: 'deactivate_user',
      requiresApproval: true,
    });
    expect(rules.find((r) => r.identifier === 'PSL:SalesConsoleUser')?.action).toBe('remove_assignment');
    expect(rules.find((r) => r.identifier === 'PKG:dsfs')?.action).toBe('remove_assignment');
    const unrecognized = await f.models.UnrecognizedIdentifier.find({ profileId: f.profileId }).lean();
    const identity = truth.licenses.find((l) => l.licenseDefinitionKey === 'PID_Identity');
    expect(unrecognized.find((u) => u.identifier === 'UL:PID_Identity')?.subscriptionCount).toBe(
      (identity?.activeUsers ?? 0) + (identity?.inactiveUsers ?? 0),
    );
  });

  it(
    'when the org changes and is downloaded again, then vanished rows are marked gone, firstSeenAt is carried and the old snapshot is removed',
    async () => {
      const first = await activeRows(f);
      const firstSyncId = first[0]?.syncId;
      const client = await f.deps.salesforceFor(f.profileId);
      const truth = f.sim.admin.truth(f.org.orgId);
      const assignment = first.find(
        (r) =>
          r.identifier.startsWith('PSL:') &&
          r.userId !== truth.adminUserId &&
          !truth.defaultOwnerUserIds.includes(r.userId) &&
          // Salesforce refuses to remove a license a held permission set still needs.
          f.sim.admin
            .user(f.org.orgId, r.userId)
            ?.permissionSetLicenseAssignments.some((a) => a.id === r.assignmentId && !a.inUse) === true,
      );
      const victim = first.find(
        (r) =>
          r.identifier === 'UL:AUL' &&
          r.isActive &&
          (f.sim.admin.user(f.org.orgId, r.userId)?.deactivationBlockers ?? []).length === 0,
      );
      if (!assignment?.assignmentId || !victim)
        throw new Error('fixture org lacks a PSL assignment or an active Platform user');
      expect((await client.delete([assignment.assignmentId]))[0]?.success).toBe(true);
      expect(
        (await client.update('User', [{ id: victim.userId, fields: { IsActive: false } }]))[0]?.success,
      ).toBe(true);

      await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
      const second = await activeRows(f);
      expectSubscriptionsMatchTruth(second, f.sim.admin.truth(f.org.orgId));
      expect(await snapshotOf(f.models, f.profileId, firstSyncId ?? '').users.countDocuments({})).toBe(0);
      const gone = second.find(
        (r) => r.userId === assignment.userId && r.identifier === assignment.identifier,
      );
      expect(gone?.goneAt).toBeInstanceOf(Date);
      expect(second.filter((r) => r.goneAt !== null)).toHaveLength(1);
      const deactivated = second.find((r) => r.userId === victim.userId && r.identifier === 'UL:AUL');
      expect(deactivated).toMatchObject({ isActive: false, goneAt: null });
      expect(deactivated?.firstSeenAt.getTime()).toBe(victim.firstSeenAt.getTime());
      expect(deactivated?.lastSeenAt.getTime()).toBeGreaterThan(victim.lastSeenAt.getTime());
      expect(second.length).toBe(first.length);
    },
    SLOW_TEST_MS,
  );

  it(
    'when an earlier attempt left rows of a snapshot that never became active, then the next download removes them and the profile lists only its active snapshot',
    async () => {
      const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
      if (!profile?.activeSyncId) throw new Error('the org was downloaded before');
      const active = snapshotOf(f.models, f.profileId, profile.activeSyncId).users;
      const user = await active.findOne({});
      if (!user) throw new Error('the org was downloaded before');
      // What a crashed download of another run leaves: its id listed, some of its rows written.
      const abandoned = 'abandoned_sync_01';
      await f.models.IntegrationProfile.updateOne(
        { _id: f.profileId },
        { $addToSet: { syncIdsWritten: abandoned } },
      );
      await snapshotOf(f.models, f.profileId, abandoned).users.insertOne(user);

      await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
      expect(await snapshotOf(f.models, f.profileId, abandoned).users.countDocuments({})).toBe(0);
      expect(await active.countDocuments({})).toBe(0);
      const after = await f.models.IntegrationProfile.findById(f.profileId).lean();
      expect(after?.syncIdsWritten).toEqual([after?.activeSyncId]);
    },
    SLOW_TEST_MS,
  );

  it(
    'when the same download job runs again after it finished, then nothing is duplicated or lost',
    async () => {
      const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
      const users = snapshotOf(f.models, f.profileId, profile?.activeSyncId ?? '').users;
      const before = await users.countDocuments({});
      expect(before).toBeGreaterThan(0);
      const outcome = await f.runJob(
        'downloadSubscriptions',
        createDownloadSubscriptionsProcessor(f.deps),
        profile?.activeSyncId ?? undefined,
      );
      expect(outcome.result).toMatchObject({ alreadyActive: true });
      expect(await users.countDocuments({})).toBe(before);
    },
    SLOW_TEST_MS,
  );
});

describe('downloadSubscriptions over Bulk API 2.0', () => {
  let f: ProfileFixture;
  beforeAll(async () => {
    f = await createProfileFixture({
      label: 'dlbulk',
      org: { users: 700, seed: 21 },
      salesforce: { bulkThresholdUsers: 100 },
    });
  });
  afterAll(async () => f.close());

  it('when the org is above the bulk threshold, then Bulk API 2.0 is used and the result matches the truth exactly as over REST', async () => {
    // REST pages of 20 rows: every extract costs fewer calls as a Bulk job.
    const outcome = await f.runJob(
      'downloadSubscriptions',
      createDownloadSubscriptionsProcessor(f.deps, { pageSize: 20 }),
    );
    expect(outcome.result).toMatchObject({ api: 'bulk' });
    expectSubscriptionsMatchTruth(await activeRows(f), f.sim.admin.truth(f.org.orgId));
    // Its three extracts (two kinds of assignment, then users) ran at Salesforce side by side.
    const calls = f.sim.callLog.entries({ orgId: f.org.orgId, area: 'bulk' });
    const created = calls.filter((e) => e.method === 'POST').map((e) => e.seq);
    const firstResults = calls.find((e) => e.path.endsWith('/results'))?.seq;
    expect(created).toHaveLength(3);
    expect(Math.max(...created)).toBeLessThan(firstResults ?? 0);
  });

  it('when an assignment extract fits in fewer REST pages than a Bulk job costs, then it is read over REST beside the users’ job', async () => {
    const truth = f.sim.admin.truth(f.org.orgId);
    expect(truth.permissionSetLicenseAssignments).toBeLessThan(2_000);
    const before = f.sim.callLog.entries({ orgId: f.org.orgId }).length;
    const outcome = await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
    expect(outcome.result).toMatchObject({ api: 'bulk' });
    expectSubscriptionsMatchTruth(await activeRows(f), truth);
    const calls = f.sim.callLog.entries({ orgId: f.org.orgId }).slice(before);
    const jobs = calls.filter((e) => e.area === 'bulk' && e.method === 'POST');
    expect(jobs).toHaveLength(1);
    const restQueries = calls.filter((e) => e.method === 'GET' && /\/query$/.test(e.path));
    expect(restQueries).toHaveLength(2);
    // The users' job was asked for before the assignments were read.
    expect(jobs[0]?.seq ?? Infinity).toBeLessThan(Math.min(...restQueries.map((e) => e.seq)));
  });
});
