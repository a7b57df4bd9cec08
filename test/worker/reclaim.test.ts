import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createReclaimProcessor } from '../../worker/processors/reclaim.js';
import type { ReclaimTally } from '../../worker/processors/reclaim/reclaimCandidates.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { candidatesOf, subscriptionsOf } from '../../shared/db/profileCollections.js';

let f: ProfileFixture;
/** Candidates per child job in the fan-out test (small, so a small org still fans out). */
const BATCH = 20;

const writes = (method: 'PATCH' | 'DELETE'): number =>
  f.sim.callLog.count({ orgId: f.org.orgId, method, pathIncludes: '/composite/sobjects' });
const tallyOf = (result: Record<string, unknown>): ReclaimTally => result.tally as ReclaimTally;
const candidates = (filter: Record<string, unknown> = {}) =>
  candidatesOf(f.models, f.profileId)
    .find({ profileId: f.profileId, ...filter })
    .lean();
const setDryRun = (dryRun: boolean) =>
  f.models.IntegrationProfile.updateOne({ _id: f.profileId }, { $set: { dryRun } });

/** Approves every seat candidate of the Salesforce Platform license (a handful of users). */
async function approvePlatformSeats(): Promise<string[]> {
  const pending = await candidates({ identifier: 'UL:AUL', status: 'pending' });
  await candidatesOf(f.models, f.profileId).updateMany(
    { _id: { $in: pending.map((c) => c._id) } },
    { $set: { status: 'ready', decidedBy: 'admin', decidedAt: new Date() } },
  );
  return pending.map((c) => c.userId);
}

beforeAll(async () => {
  f = await createProfileFixture({ label: 'reclaim', org: { users: 500, seed: 9 } });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  await f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps));
});
afterAll(async () => f.close());

describe('reclaim', () => {
  it('when the profile is in dry run, then the exact calls are recorded and nothing changes in Salesforce', async () => {
    const approved = await approvePlatformSeats();
    expect(approved.length).toBeGreaterThan(3);
    await setDryRun(true);
    const truthBefore = f.sim.admin.truth(f.org.orgId);
    const [patches, deletes] = [writes('PATCH'), writes('DELETE')];

    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps));

    expect([writes('PATCH'), writes('DELETE')]).toEqual([patches, deletes]);
    expect(f.sim.admin.truth(f.org.orgId).activeUsers).toBe(truthBefore.activeUsers);
    const planned = tallyOf(outcome.result).plannedCalls;
    const deactivations = planned.filter((c) => c.sobject === 'User');
    expect(deactivations.flatMap((c) => c.ids).sort()).toEqual([...approved].sort());
    expect(deactivations.every((c) => c.method === 'PATCH' && c.change === 'IsActive=false')).toBe(true);
    const ready = await candidates({ identifier: 'UL:AUL', status: 'ready' });
    expect(ready).toHaveLength(approved.length);
    expect(ready.every((c) => c.outcome?.startsWith('dry run: would PATCH User IsActive=false'))).toBe(true);
    await setDryRun(false);
  });

  it('when approved candidates are reclaimed, then exactly their users are deactivated, their assignments removed, and nobody else is touched', async () => {
    const approved = new Set((await candidates({ status: 'ready' })).map((c) => c.userId));
    const truthBefore = f.sim.admin.truth(f.org.orgId);
    const platformBefore = truthBefore.licenses.find((l) => l.licenseDefinitionKey === 'AUL');
    const assignmentsOfApproved = [...approved].flatMap((id) => {
      const u = f.sim.admin.user(f.org.orgId, id);
      return [...(u?.permissionSetLicenseAssignments ?? []), ...(u?.packageLicenseAssignments ?? [])];
    });
    // Pending seat candidates: active, idle users nobody approved; they must stay active.
    const pendingUsers = new Set(
      (await candidates({ status: 'pending', identifier: /^UL:/ })).map((c) => c.userId),
    );
    const patches = writes('PATCH');

    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps));

    expect(writes('PATCH') - patches).toBe(Math.ceil(approved.size / 200));
    for (const id of approved) expect(f.sim.admin.user(f.org.orgId, id)?.isActive).toBe(false);
    for (const id of pendingUsers) {
      if (!approved.has(id)) expect(f.sim.admin.user(f.org.orgId, id)?.isActive).toBe(true);
    }
    const truthAfter = f.sim.admin.truth(f.org.orgId);
    expect(truthAfter.activeUsers).toBe(truthBefore.activeUsers - approved.size);
    expect(truthAfter.licenses.find((l) => l.licenseDefinitionKey === 'AUL')?.usedLicenses).toBe(
      (platformBefore?.usedLicenses ?? 0) - approved.size,
    );
    expect(truthAfter.permissionSetLicenseAssignments + truthAfter.packageLicenseAssignments).toBe(
      truthBefore.permissionSetLicenseAssignments +
        truthBefore.packageLicenseAssignments -
        assignmentsOfApproved.length,
    );
    const tally = tallyOf(outcome.result);
    expect(tally).toMatchObject({
      reclaimed: approved.size,
      failed: 0,
      assignmentsRemoved: assignmentsOfApproved.length,
    });
    const done = await candidates({ userId: { $in: [...approved] }, identifier: 'UL:AUL' });
    expect(
      done.every((c) => c.status === 'reclaimed' && c.attempts === 1 && c.outcome === 'deactivated'),
    ).toBe(true);
  });

  it('when Salesforce refuses a deactivation, then the candidate fails with its code and message, and is frozen instead where the rule says so', async () => {
    const truth = f.sim.admin.truth(f.org.orgId);
    const owner = truth.defaultOwners[0];
    if (!owner) throw new Error('org has no default owner');
    const ownerSeat = await subscriptionsOf(f.models, f.profileId)
      .findOne({
        userId: owner.userId,
        identifier: /^UL:/,
      })
      .lean();
    const rule = await f.models.ReclamationRule.findOneAndUpdate(
      { profileId: f.profileId, identifier: ownerSeat?.identifier },
      { $set: { freezeOnRefusal: true } },
      { new: true },
    ).lean();
    const adminRule = await f.models.ReclamationRule.findOne({
      profileId: f.profileId,
      identifier: 'UL:AUL',
    }).lean();
    const base = {
      profileId: new ObjectId(f.profileId),
      action: 'deactivate_user',
      justification: 'low_usage',
      status: 'ready',
      lastComputedSyncId: 'x',
      attempts: 0,
      reclaimRunId: null,
      lastError: null,
    };
    const evidence = { lastLoginAt: null, userCreatedAt: new Date(0), daysInactive: 999, thresholdDays: 60 };
    const profileCandidates = candidatesOf(f.models, f.profileId);
    await profileCandidates.db
      .collection<Record<string, unknown> & { _id: string }>(profileCandidates.collection.collectionName)
      .insertMany([
        {
          ...base,
          _id: `${f.profileId}|${owner.userId}|${ownerSeat?.identifier}x`,
          userId: owner.userId,
          username: 'owner',
          identifier: `${ownerSeat?.identifier}x`,
          ruleId: rule?._id,
          evidence,
        },
        {
          ...base,
          _id: `${f.profileId}|${truth.adminUserId}|UL:AULx`,
          userId: truth.adminUserId,
          username: 'admin',
          identifier: 'UL:AULx',
          ruleId: adminRule?._id,
          evidence,
        },
      ]);

    await f.runJob('reclaim', createReclaimProcessor(f.deps));

    const [ownerCandidate] = await candidates({ userId: owner.userId, status: 'failed' });
    expect(ownerCandidate?.lastError?.code).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(ownerCandidate?.lastError?.message).toMatch(/default/i);
    expect(ownerCandidate?.outcome).toBe('deactivation refused; frozen instead');
    expect(f.sim.admin.user(f.org.orgId, owner.userId)).toMatchObject({ isActive: true, isFrozen: true });
    const [adminCandidate] = await candidates({ userId: truth.adminUserId, status: 'failed' });
    expect(adminCandidate?.lastError?.code).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(adminCandidate?.outcome).toBe('deactivation refused');
    expect(f.sim.admin.user(f.org.orgId, truth.adminUserId)).toMatchObject({
      isActive: true,
      isFrozen: false,
    });
  });

  it('when a candidate was left reclaiming by a crashed attempt and its user is already inactive, then it is recorded reclaimed without a second deactivation', async () => {
    const [victim] = await candidates({ identifier: 'UL:SFDC', status: 'pending' });
    if (!victim) throw new Error('no pending Sales Cloud candidate');
    const client = await f.deps.salesforceFor(f.profileId);
    await client.update('User', [{ id: victim.userId, fields: { IsActive: false } }]);
    await candidatesOf(f.models, f.profileId).updateOne(
      { _id: victim._id },
      { $set: { status: 'reclaiming', reclaimRunId: 'run_crashed_earlier', attempts: 1 } },
    );
    const patches = writes('PATCH');

    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps));

    expect(writes('PATCH')).toBe(patches);
    expect(tallyOf(outcome.result).verifiedAfterInterruption).toBe(1);
    const [after] = await candidates({ _id: victim._id });
    expect(after).toMatchObject({ status: 'reclaimed', attempts: 2 });
    expect(after?.outcome).toMatch(/already inactive/);
  });

  it('when more candidates are ready than one batch holds, then child jobs share the work and the parent sums their outcomes', async () => {
    const pending = await candidates({
      identifier: { $in: ['UL:SFDC', 'UL:SFDC:ServiceCloud'] },
      status: 'pending',
    });
    expect(pending.length).toBeGreaterThan(2 * BATCH);
    await candidatesOf(f.models, f.profileId).updateMany(
      { _id: { $in: pending.map((c) => c._id) } },
      { $set: { status: 'ready' } },
    );
    const patches = writes('PATCH');

    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps, { batchSize: BATCH }));

    expect(outcome.result).toMatchObject({ batches: Math.ceil(pending.length / BATCH) });
    expect(tallyOf(outcome.result).reclaimed).toBe(pending.length);
    for (const c of pending) expect(f.sim.admin.user(f.org.orgId, c.userId)?.isActive).toBe(false);
    expect(writes('PATCH') - patches).toBe(Math.ceil(pending.length / BATCH));
    expect(
      await candidatesOf(f.models, f.profileId).countDocuments({
        _id: { $in: pending.map((c) => c._id) },
        status: 'reclaimed',
      }),
    ).toBe(pending.length);
  });

  it('when the reclaim subflow is off, then nothing is reclaimed even if candidates are ready', async () => {
    await f.models.IntegrationProfile.updateOne(
      { _id: f.profileId },
      { $set: { 'subflows.reclaimSubscriptions': false } },
    );
    const [candidate] = await candidates({ status: 'pending' });
    await candidatesOf(f.models, f.profileId).updateOne(
      { _id: candidate?._id },
      { $set: { status: 'ready' } },
    );
    const patches = writes('PATCH');
    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps));
    expect(outcome.result).toMatchObject({ skipped: expect.stringMatching(/subflow is off/) });
    expect(writes('PATCH')).toBe(patches);
    expect((await candidates({ _id: candidate?._id }))[0]?.status).toBe('ready');
  });
});
