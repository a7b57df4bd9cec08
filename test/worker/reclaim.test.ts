import { ObjectId, type Collection } from 'mongodb';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { applyCandidateMoves } from '../../shared/db/candidateMoves.js';
import { GLOBAL_SWITCH_ID } from '../../shared/db/models/reclaimSwitch.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { allSubscriptionRows, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { DAY_MS } from '../../shared/domain/inactivity.js';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createReclaimProcessor } from '../../worker/processors/reclaim.js';
import type { ReclaimTally } from '../../worker/processors/reclaim/reclaimCandidates.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';

let f: ProfileFixture;
/** Candidates per child job in the fan-out test (small, so a small org still fans out). */
const BATCH = 20;

const writes = (method: 'PATCH' | 'DELETE' | 'POST'): number =>
  f.sim.callLog.count({ orgId: f.org.orgId, method, pathIncludes: '/composite/sobjects' });
const allWrites = () => writes('PATCH') + writes('DELETE') + writes('POST');
/** The re-check's reads: composite calls (each a User and a UserLogin query), and any query sent alone. */
const recheckReads = () => ({
  composite: f.sim.callLog
    .entries({ orgId: f.org.orgId, method: 'POST', pathIncludes: '/composite' })
    .filter((e) => e.path.endsWith('/composite')).length,
  alone: f.sim.callLog.count({ orgId: f.org.orgId, method: 'GET', pathIncludes: '/query' }),
});
const tallyOf = (result: Record<string, unknown>): ReclaimTally => result.tally as ReclaimTally;
const candidates = (filter: Record<string, unknown> = {}) =>
  candidatesOf(f.models, f.profileId).find(filter).lean();
const candidateCollection = () =>
  candidatesOf(f.models, f.profileId).collection as unknown as Collection<{
    _id: string;
    status: CandidateStatus;
  }>;
const profileOid = () => new ObjectId(f.profileId);
const user = (id: string) => f.sim.admin.user(f.org.orgId, id);
const reclaim = (now?: Date) =>
  f.runJob('reclaim', createReclaimProcessor(f.deps, now ? { now: () => now } : {}));
const compute = () => f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps));
/** What the API does on a rule edit that changes what the rule decides. */
const editRule = (identifier: string, set: Record<string, unknown>) =>
  f.models.ReclamationRule.updateOne(
    { profileId: profileOid(), identifier },
    { $set: set, $inc: { revision: 1 } },
  );

/** A seat rule's candidates that are not yet decided, `n` of them, approved. */
async function approveSeats(identifier: string, n: number): Promise<string[]> {
  // Users Salesforce would refuse to deactivate have a test of their own.
  const pending = (await candidates({ identifier, status: 'pending' })).filter(
    (c) => (user(c.userId)?.deactivationBlockers ?? []).length === 0,
  );
  const picked = pending.slice(0, n).map((c) => c._id);
  const approved = await approveCandidates(f.models, f.profileId, { _id: { $in: picked } });
  return approved.map((c) => c.userId);
}

/** A reclaim in child jobs of `BATCH`: one child per slice, and every one of `ready` settled. */
async function reclaimFannedOut(ready: number): Promise<void> {
  const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps, { batchSize: BATCH }));
  const tally = tallyOf(outcome.result);
  expect(outcome.result.batches).toBe(Math.ceil(ready / BATCH));
  const skipped = Object.values(tally.skipped).reduce((a, b) => a + b, 0);
  expect(tally.reclaimed + tally.frozen + tally.failed + skipped).toBe(ready);
  expect(await candidates({ status: { $in: ['ready', 'reclaiming'] } })).toHaveLength(0);
}

beforeAll(async () => {
  f = await createProfileFixture({ label: 'reclaim', org: { users: 500, seed: 9 } });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  await compute();
});
afterAll(async () => f.close());

describe('reclaim', () => {
  it('when a user is on an API-only profile, then the download says so and the user is never a candidate to reclaim (spared, with the reason)', async () => {
    const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
    const rows = (
      await allSubscriptionRows(snapshotOf(f.models, f.profileId, profile?.activeSyncId ?? ''))
    ).filter((r) => r.apiOnly && r.identifier.startsWith('UL:'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(user(row.userId)?.profile).toBe('Custom: Integration (API only)');
    const theirs = await candidates({ userId: { $in: rows.map((r) => r.userId) } });
    expect(theirs.filter((c) => c.status !== 'cancelled' || c.reason !== 'spared: api_only_user')).toEqual(
      [],
    );
  });

  it('when the profile is in dry run, then the exact calls are recorded and nothing changes in Salesforce or in the candidates', async () => {
    const approved = await approveSeats('UL:AUL', 100);
    expect(approved.length).toBeGreaterThan(3);
    await f.models.IntegrationProfile.updateOne({ _id: profileOid() }, { $set: { dryRun: true } });
    const before = allWrites();

    const outcome = await reclaim();

    expect(allWrites()).toBe(before);
    const planned = tallyOf(outcome.result).plannedCalls;
    expect(planned.every((c) => c.sobject === 'UserLogin' && c.change === 'IsFrozen=true')).toBe(true);
    expect(planned.flatMap((c) => c.ids)).toHaveLength(approved.length);
    for (const id of approved) expect(user(id)?.isFrozen).toBe(false);
    expect(await candidates({ identifier: 'UL:AUL', status: 'ready' })).toHaveLength(approved.length);
    await f.models.IntegrationProfile.updateOne({ _id: profileOid() }, { $set: { dryRun: false } });
  });

  it('when approved users are reclaimed, then they are frozen first, deactivated only after the grace period, each write snapshotted and audited, and nobody else is touched', async () => {
    const approved = (await candidates({ identifier: 'UL:AUL', status: 'ready' })).map((c) => c.userId);
    const pendingUsers = (await candidates({ status: 'pending', identifier: /^UL:/ })).map((c) => c.userId);
    const frozenBefore = new Map(pendingUsers.map((id) => [id, user(id)?.isFrozen]));
    const runId = f.newRunId();

    const first = await f.runJob('reclaim', createReclaimProcessor(f.deps), runId);

    expect(tallyOf(first.result)).toMatchObject({ frozen: approved.length, reclaimed: 0, failed: 0 });
    for (const id of approved) expect(user(id)).toMatchObject({ isFrozen: true, isActive: true });
    for (const id of pendingUsers)
      expect(user(id)).toMatchObject({ isFrozen: frozenBefore.get(id), isActive: true });
    const frozen = await candidates({ identifier: 'UL:AUL', status: 'frozen' });
    expect(frozen).toHaveLength(approved.length);
    expect(await f.models.ReclaimSnapshot.countDocuments({ runId, phase: 'freeze' })).toBe(approved.length);
    const freezeAudit = await f.models.AuditEntry.find({ runId, action: 'freeze' }).lean();
    expect(freezeAudit).toHaveLength(approved.length);
    expect(freezeAudit.every((a) => a.request?.sobject === 'UserLogin' && a.response?.success === true)).toBe(
      true,
    );

    // Within the grace period nothing more happens.
    const patches = writes('PATCH');
    await reclaim(new Date(Date.now() + 3 * DAY_MS));
    expect(writes('PATCH')).toBe(patches);

    const readsBefore = recheckReads();
    const second = await reclaim(new Date(Date.now() + 8 * DAY_MS));

    expect(tallyOf(second.result)).toMatchObject({ reclaimed: approved.length, failed: 0 });
    // One call re-reads a batch's users and logins: the composite request counts once.
    const reads = recheckReads();
    expect(reads.composite - readsBefore.composite).toBe(Math.ceil(approved.length / 200));
    expect(reads.alone).toBe(readsBefore.alone);
    expect(writes('PATCH') - patches).toBe(Math.ceil(approved.length / 200));
    for (const id of approved) expect(user(id)?.isActive).toBe(false);
    for (const id of pendingUsers) expect(user(id)?.isActive).toBe(true);
    const done = await candidates({ identifier: 'UL:AUL', userId: { $in: approved } });
    expect(done.every((c) => c.status === 'reclaimed' && c.outcome === 'deactivated')).toBe(true);
  });

  it('when a whole reclaim run is undone, then every user is active and unfrozen again and the candidates are restored', async () => {
    const reclaimed = await candidates({ identifier: 'UL:AUL', status: 'reclaimed' });
    const runs = [
      ...new Set(
        (await f.models.ReclaimSnapshot.find({ userId: reclaimed[0]?.userId }).lean()).map((s) => s.runId),
      ),
    ];
    expect(runs).toHaveLength(2);
    // Undo the users (both runs: the freeze and the deactivation).
    const undo = await f.models.ReclaimUndo.create({
      profileId: profileOid(),
      scope: { userIds: reclaimed.map((c) => c.userId) },
      requestedBy: 'test-admin',
      requestedAt: new Date(),
    });

    await f.runNamedJob('reclaim', createReclaimProcessor(f.deps), 'reclaimUndo', {
      profileId: f.profileId,
      undoId: String(undo._id),
    });

    for (const c of reclaimed) expect(user(c.userId)).toMatchObject({ isActive: true, isFrozen: false });
    const after = await f.models.ReclaimUndo.findById(undo._id).lean();
    expect(after?.status).toBe('done');
    expect(after?.users.every((u) => u.notRestored.length === 0 && u.restored.includes('reactivated'))).toBe(
      true,
    );
    expect(await candidates({ _id: { $in: reclaimed.map((c) => c._id) }, status: 'restored' })).toHaveLength(
      reclaimed.length,
    );
    expect(await f.models.AuditEntry.countDocuments({ action: 'reactivate' })).toBe(reclaimed.length);
  });

  it('when a rule is changed after approval, then the approval no longer counts: nothing is written and the candidates wait for a new approval', async () => {
    const approved = await approveSeats('UL:SFDC', 5);
    await editRule('UL:SFDC', { deactivateNow: true });
    const before = allWrites();

    const outcome = await reclaim();

    expect(allWrites()).toBe(before);
    expect(tallyOf(outcome.result).skipped).toMatchObject({ rule_changed: approved.length });
    const back = await candidates({ identifier: 'UL:SFDC', userId: { $in: approved } });
    expect(back.every((c) => c.status === 'pending' && c.approval === null)).toBe(true);
  });

  it('when a no-approval rule is set back to need approval with another action, then a re-sync sends its ready candidates back to pending and nothing is deactivated', async () => {
    await editRule('UL:SFDC', { requiresApproval: false });
    await compute();
    const ready = await candidates({ identifier: 'UL:SFDC', status: 'ready' });
    expect(ready.length).toBeGreaterThan(5);
    expect(ready.every((c) => c.approval?.by.startsWith('rule:'))).toBe(true);
    await editRule('UL:SFDC', { requiresApproval: true, action: 'remove_assignment' });
    await compute();
    const before = allWrites();

    await reclaim();

    expect(allWrites()).toBe(before);
    const after = await candidates({ _id: { $in: ready.map((c) => c._id) } });
    expect(
      after.every((c) => c.status === 'pending' && c.action === 'remove_assignment' && !c.approval),
    ).toBe(true);
    const reset = await f.models.AuditEntry.countDocuments({
      action: 'reset_to_pending',
      candidateId: { $in: ready.map((c) => c._id) },
    });
    expect(reset).toBe(ready.length);
    await editRule('UL:SFDC', { action: 'deactivate_user', deactivateNow: true });
    await compute();
  });

  it('when reclaim is stopped for the profile, globally, or the profile is paused, then nothing is sent and approvals stay', async () => {
    const approved = await approveSeats('UL:SFDC', 3);
    const before = allWrites();
    for (const [apply, undo] of [
      [
        () =>
          f.models.IntegrationProfile.updateOne(
            { _id: profileOid() },
            { $set: { reclaimStop: { by: 'ops', at: new Date() } } },
          ),
        () => f.models.IntegrationProfile.updateOne({ _id: profileOid() }, { $set: { reclaimStop: null } }),
      ],
      [
        () =>
          f.models.ReclaimSwitch.create({ _id: GLOBAL_SWITCH_ID, stopped: true, by: 'ops', at: new Date() }),
        () => f.models.ReclaimSwitch.deleteOne({ _id: GLOBAL_SWITCH_ID }),
      ],
      [
        () => f.models.IntegrationProfile.updateOne({ _id: profileOid() }, { $set: { status: 'paused' } }),
        () => f.models.IntegrationProfile.updateOne({ _id: profileOid() }, { $set: { status: 'published' } }),
      ],
    ] as const) {
      await apply();
      const outcome = await reclaim();
      expect(tallyOf(outcome.result).stopped).toBeGreaterThan(0);
      await undo();
    }
    expect(allWrites()).toBe(before);
    expect(
      await candidates({ identifier: 'UL:SFDC', userId: { $in: approved }, status: 'ready' }),
    ).toHaveLength(3);
  });

  it('when a user is excluded or an approval withdrawn after approval, then that user is skipped with the reason and the others are deactivated', async () => {
    const ready = await candidates({ identifier: 'UL:SFDC', status: 'ready' });
    const [excluded, withdrawn, ...rest] = ready;
    if (!excluded || !withdrawn || rest.length === 0) throw new Error('need three approved candidates');
    await f.models.ExclusionRule.create({
      profileId: profileOid(),
      kind: 'user_id',
      value: excluded.userId,
      createdBy: 'admin',
    });
    await applyCandidateMoves(
      candidateCollection(),
      [{ id: withdrawn._id, from: 'ready', events: ['withdraw'], set: { approval: null } }],
      new Date(),
      candidateJournalOf(f.models, f.profileId),
    );

    const outcome = await reclaim();

    expect(tallyOf(outcome.result).skipped).toMatchObject({ excluded: 1 });
    expect(user(excluded.userId)?.isActive).toBe(true);
    expect(user(withdrawn.userId)?.isActive).toBe(true);
    for (const c of rest) expect(user(c.userId)?.isActive).toBe(false);
    expect((await candidates({ _id: excluded._id }))[0]).toMatchObject({
      status: 'cancelled',
      reason: 'excluded',
    });
    expect((await candidates({ _id: withdrawn._id }))[0]?.status).toBe('withdrawn');
    const skip = await f.models.AuditEntry.findOne({ action: 'skip', candidateId: excluded._id })
      .sort({ at: -1, _id: -1 })
      .lean();
    expect(skip?.reason).toBe('excluded');
  });

  it('when a candidate was left reclaiming by a failed run, then it is not deactivated after its user was excluded and its rule disabled', async () => {
    const [c] = await approveSeats('UL:SFDC', 1).then((ids) =>
      candidates({ identifier: 'UL:SFDC', userId: { $in: ids } }),
    );
    if (!c) throw new Error('no candidate');
    await applyCandidateMoves(
      candidateCollection(),
      [
        {
          id: c._id,
          from: 'ready',
          events: ['write_started'],
          set: { phase: 'deactivate', reclaimRunId: 'run_crashed00000' },
        },
      ],
      new Date(),
      candidateJournalOf(f.models, f.profileId),
    );
    await f.models.ExclusionRule.create({
      profileId: profileOid(),
      kind: 'user_id',
      value: c.userId,
      createdBy: 'admin',
    });
    await editRule('UL:SFDC', { enabled: false });
    const patches = writes('PATCH');

    await reclaim();

    expect(writes('PATCH')).toBe(patches);
    expect(user(c.userId)?.isActive).toBe(true);
    expect((await candidates({ _id: c._id }))[0]?.status).toBe('cancelled');
    await editRule('UL:SFDC', { enabled: true });
  });

  it('when a candidate was left reclaiming and its deactivation had landed, then it is recorded reclaimed without a second call', async () => {
    await compute();
    const [c] = await approveSeats('UL:SFDC', 1).then((ids) =>
      candidates({ identifier: 'UL:SFDC', userId: { $in: ids } }),
    );
    if (!c) throw new Error('no candidate');
    await applyCandidateMoves(
      candidateCollection(),
      [
        {
          id: c._id,
          from: 'ready',
          events: ['write_started'],
          set: { phase: 'deactivate', reclaimRunId: 'run_crashed00001' },
        },
      ],
      new Date(),
      candidateJournalOf(f.models, f.profileId),
    );
    // The crashed attempt's PATCH had reached Salesforce.
    await f.deps
      .salesforceFor(f.profileId)
      .then((client) => client.update('User', [{ id: c.userId, fields: { IsActive: false } }]));
    const patches = writes('PATCH');

    const outcome = await reclaim();

    expect(writes('PATCH')).toBe(patches);
    expect(tallyOf(outcome.result).verifiedAfterInterruption).toBe(1);
    expect((await candidates({ _id: c._id }))[0]?.status).toBe('reclaimed');
  });

  it('when Salesforce refuses a deactivation, then the candidate fails with the blocker named, and the user is frozen instead', async () => {
    // A seat candidate whose user Salesforce refuses to deactivate (the generator blocks a few).
    const seat = (await candidates({ identifier: /^UL:/, status: { $in: ['pending', 'cancelled'] } })).find(
      (c) => c.userId !== f.org.adminUserId && (user(c.userId)?.deactivationBlockers ?? []).length > 0,
    );
    if (!seat) throw new Error('no blocked user is a seat candidate');
    await editRule(seat.identifier, { deactivateNow: true });
    await compute();
    await approveCandidates(f.models, f.profileId, { _id: seat._id });

    const outcome = await reclaim();

    expect(tallyOf(outcome.result).frozenInstead).toBeGreaterThanOrEqual(1);
    const after = (await candidates({ _id: seat._id }))[0];
    expect(after?.status).toBe('failed');
    expect(after?.outcome).toMatch(/^deactivation refused \((?!license_or_other)[a-z_]+\); frozen instead$/);
    expect(after?.lastError?.code).toBe('FIELD_INTEGRITY_EXCEPTION');
    expect(user(seat.userId)).toMatchObject({ isActive: true, isFrozen: true });
  });

  it('when permission set and package licenses are removed, then the permission sets that need a license go first, and undoing the run re-creates every one of them', async () => {
    await compute();
    // Licenses in use by permission sets that name them (PermissionSet.LicenseId): the ones whose
    // dependents can be found and removed first. A set that needs a license without naming it makes
    // Salesforce refuse the removal, and the candidate fails with its answer (tested in the simulator).
    const inUse = (await candidates({ identifier: /^PSL:/, status: 'pending' })).filter((c) => {
      const u = user(c.userId);
      const license = u?.permissionSetLicenseAssignments.find(
        (a) => a.inUse && c.identifier === `PSL:${a.developerName}`,
      );
      return (
        license !== undefined &&
        (u?.permissionSetAssignments ?? [])
          .filter((p) => p.requiredLicenseId === license.permissionSetLicenseId)
          .every((p) => p.licenseId === license.permissionSetLicenseId)
      );
    });
    const packages = await candidates({ identifier: /^PKG:/, status: 'pending' });
    const chosen = [...inUse.slice(0, 4), ...packages.slice(0, 3)];
    expect(inUse.length).toBeGreaterThanOrEqual(2);
    await approveCandidates(f.models, f.profileId, { _id: { $in: chosen.map((c) => c._id) } });
    const held = (id: string) => {
      const u = user(id);
      return {
        licenses: (u?.permissionSetLicenseAssignments ?? []).map((a) => a.permissionSetLicenseId).sort(),
        packages: (u?.packageLicenseAssignments ?? []).map((a) => a.namespacePrefix).sort(),
        permissionSets: (u?.permissionSetAssignments ?? []).map((a) => a.permissionSetId).sort(),
      };
    };
    const users = [...new Set(chosen.map((c) => c.userId))];
    const before = new Map(users.map((id) => [id, held(id)]));
    const runId = f.newRunId();

    const outcome = await f.runJob('reclaim', createReclaimProcessor(f.deps), runId);

    expect(tallyOf(outcome.result)).toMatchObject({ assignmentsRemoved: chosen.length, failed: 0 });
    for (const id of users) {
      expect(held(id).licenses.length + held(id).packages.length).toBeLessThan(
        before.get(id)!.licenses.length + before.get(id)!.packages.length,
      );
    }
    // Within the run, every permission set removal was sent before the license removals.
    const removals = await f.models.AuditEntry.find({ runId, action: 'remove_assignment' })
      .sort({ _id: 1 })
      .lean();
    const kinds = removals.map((a) => a.request?.sobject);
    expect(kinds).toContain('PermissionSetAssignment');
    expect(kinds.lastIndexOf('PermissionSetAssignment')).toBeLessThan(
      kinds.indexOf('PermissionSetLicenseAssign'),
    );
    // A license Salesforce already took away with its last permission set answers ENTITY_IS_DELETED.
    const answers = removals.map((a) => (a.response?.success ? 'ok' : JSON.stringify(a.response?.errors)));
    expect(answers.filter((a) => a !== 'ok' && !a.includes('ENTITY_IS_DELETED'))).toEqual([]);

    const undo = await f.models.ReclaimUndo.create({
      profileId: profileOid(),
      scope: { runId },
      requestedBy: 'test-admin',
      requestedAt: new Date(),
    });
    await f.runNamedJob('reclaim', createReclaimProcessor(f.deps), 'reclaimUndo', {
      profileId: f.profileId,
      undoId: String(undo._id),
    });

    // Salesforce gives an inactive user no license: the undo says so for each, and restores the rest.
    const done = await f.models.ReclaimUndo.findById(undo._id).lean();
    const active = users.filter((id) => user(id)?.isActive);
    expect(active.length).toBeGreaterThan(0);
    for (const id of active) expect(held(id), id).toEqual(before.get(id));
    for (const result of done?.users ?? []) {
      if (active.includes(result.userId)) expect(result.notRestored).toEqual([]);
      else expect(result.notRestored.map((n) => n.code)).toContain('INACTIVE_OWNER_OR_USER');
    }
    const restored = await candidates({ _id: { $in: chosen.map((c) => c._id) }, status: 'restored' });
    expect(restored.map((c) => c.userId).sort()).toEqual(
      chosen
        .filter((c) => active.includes(c.userId))
        .map((c) => c.userId)
        .sort(),
    );
  });

  it('when more candidates are ready than one batch holds, then child jobs share the work and the parent sums their outcomes', async () => {
    await approveCandidates(f.models, f.profileId, { identifier: /^UL:/ });
    const ready = await candidates({ status: 'ready' });
    expect(ready.length).toBeGreaterThan(BATCH * 2);

    await reclaimFannedOut(ready.length);
    // Read by their reclaim shards: no slice stamped a claim on a candidate first.
    expect(await candidates({ reclaimClaim: { $exists: true } })).toHaveLength(0);
  });

  it('when the candidates were computed before reclaim shards existed, then each slice claims its id range first and all are reclaimed', async () => {
    await approveCandidates(f.models, f.profileId, {});
    const ready = await candidates({ status: 'ready' });
    expect(ready.length).toBeGreaterThan(BATCH * 2);
    await candidateCollection().updateMany({ status: 'ready' }, { $unset: { reclaimShard: '' } });

    await reclaimFannedOut(ready.length);
    expect(
      await candidates({ _id: { $in: ready.map((c) => c._id) }, reclaimClaim: { $exists: true } }),
    ).toHaveLength(ready.length);
  });

  it('when the reclaim subflow is off, then nothing is reclaimed even if candidates are ready', async () => {
    await compute();
    await approveCandidates(f.models, f.profileId, { identifier: /^UL:/ });
    await f.models.IntegrationProfile.updateOne(
      { _id: profileOid() },
      { $set: { 'subflows.reclaimSubscriptions': false } },
    );
    const before = allWrites();
    const outcome = await reclaim();
    expect(outcome.result.skipped).toBe('reclaim subflow is off for this profile');
    expect(allWrites()).toBe(before);
  });
});
