import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserState } from '../../simulator/server.js';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { ObjectId } from 'mongodb';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { countCandidates } from '../../shared/db/candidateState.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { buildSavingsTable } from '../../shared/savings/savingsTable.js';
import { FIELDS_EMPTY_UNTIL_SET } from '../../shared/db/models/removalCandidate.model.js';
import { candidatesQuery, listCandidates } from '../../api/services/results.service.js';

/** Recomputing and re-downloading do many small FerretDB writes/reads; slow on a loaded 2-core box. */
const SLOW_TEST_MS = 90_000;

const DAY_MS = 86_400_000;
const now = new Date();
const EXCLUDED_PATTERN = '*1@*';

let f: ProfileFixture;
let users: UserState[];

/**
 * The candidates the default rules (60 days idle, 30 days grace) should produce, worked out from
 * the simulator's raw user state rather than from anything seatwise stored.
 */
function expectedCandidates(
  excluded: (u: UserState) => boolean,
  disabled: ReadonlySet<string> = new Set(),
): Set<string> {
  const expected = new Set<string>();
  for (const u of users) {
    if (excluded(u)) continue;
    const idleSince = Date.parse(u.lastLoginDate ?? u.createdDate);
    const idle = now.getTime() - idleSince >= 60 * DAY_MS;
    const pastGrace = now.getTime() - Date.parse(u.createdDate) >= 30 * DAY_MS;
    const userKey =
      u.licenseDefinitionKey === 'SFDC' && u.featureLicenses.includes('supportUser')
        ? 'SFDC:ServiceCloud'
        : u.licenseDefinitionKey;
    const modelled = !['PID_Identity', 'PID_Guest_User'].includes(u.licenseDefinitionKey);
    const seat = `UL:${userKey}`;
    if (modelled && u.isActive && idle && pastGrace && !disabled.has(seat)) expected.add(`${u.id}|${seat}`);
    const assignments = [
      ...u.permissionSetLicenseAssignments.map((a) => `PSL:${a.developerName}`),
      ...u.packageLicenseAssignments.map((a) => `PKG:${a.namespacePrefix}`),
    ];
    for (const identifier of assignments) {
      if (disabled.has(identifier)) continue;
      if (!u.isActive || (idle && pastGrace)) expected.add(`${u.id}|${identifier}`);
    }
  }
  return expected;
}

async function candidateKeys(status?: string): Promise<string[]> {
  const filter: Record<string, unknown> = { profileId: f.profileId };
  if (status) filter.status = status;
  const rows = await candidatesOf(f.models, f.profileId).find(filter).lean();
  return rows.map((c) => `${c.userId}|${c.identifier}`).sort();
}

const compute = () =>
  f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps, { now: () => now }));

beforeAll(async () => {
  f = await createProfileFixture({ label: 'cand', org: { users: 600, seed: 5 } });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  const profile = await f.models.IntegrationProfile.findById(f.profileId).lean();
  const ids = await snapshotOf(f.models, f.profileId, profile?.activeSyncId ?? '').users.distinct('_id');
  users = ids.map((id) => {
    const state = f.sim.admin.user(f.org.orgId, String(id));
    if (!state) throw new Error(`simulator does not know ${String(id)}`);
    return state;
  });
  await f.models.ReclamationRule.updateOne(
    { profileId: f.profileId, identifier: 'UL:SFDC' },
    { $set: { requiresApproval: false } },
  );
  await f.models.ExclusionRule.create([
    {
      profileId: f.profileId,
      kind: 'username_pattern',
      value: EXCLUDED_PATTERN.toUpperCase(),
      createdBy: 'test',
    },
    { profileId: f.profileId, kind: 'profile_name', value: 'system administrator', createdBy: 'test' },
    { profileId: f.profileId, kind: 'identifier', value: 'pkg:finserv', createdBy: 'test' },
  ]);
});
afterAll(async () => f.close());

/** The user exclusions of beforeAll (username glob, profile name), from the simulator's side. */
const excludedByRules = (u: UserState): boolean =>
  /^.*1@.*$/i.test(u.username) || u.profile === 'System Administrator';

describe('computeCandidates', () => {
  it('when rules and exclusions are applied, then candidates are exactly the idle seats of non-excluded users, with status by approval', async () => {
    const outcome = await compute();
    const expected = [...expectedCandidates((u) => excludedByRules(u))]
      .filter((k) => !k.endsWith('|PKG:FinServ'))
      .sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(await candidateKeys()).toEqual(expected);
    expect(outcome.result).toMatchObject({ created: expected.length, cancelled: 0 });
    const sfdc = await candidatesOf(f.models, f.profileId)
      .find({
        profileId: f.profileId,
        identifier: 'UL:SFDC',
      })
      .lean();
    expect(sfdc.length).toBeGreaterThan(0);
    // Integration users (an API-only profile) are recorded, but spared, whatever the rule says.
    const people = sfdc.filter((c) => !c.reason?.startsWith('spared: '));
    expect(sfdc.filter((c) => c.reason?.startsWith('spared: ')).every((c) => c.status === 'cancelled')).toBe(
      true,
    );
    expect(new Set(people.map((c) => c.status))).toEqual(new Set(['ready']));
    const others = await candidatesOf(f.models, f.profileId)
      .find({
        profileId: f.profileId,
        identifier: { $ne: 'UL:SFDC' },
      })
      .lean();
    expect(new Set(others.map((c) => c.status))).toEqual(new Set(['pending']));
    const never = others.find((c) => c.justification === 'never_used');
    if (never) expect(never.evidence?.lastLoginAt).toBeNull();
    for (const c of [...sfdc, ...others])
      expect(c.evidence?.daysInactive ?? 0).toBeGreaterThanOrEqual(c.identifier.startsWith('UL:') ? 60 : 0);
  });

  it('when candidates are created, then each is stored without its empty fields, and the list shows those as null, by either path', async () => {
    const stored = await candidatesOf(f.models, f.profileId)
      .collection.find({ status: 'pending' })
      .limit(5)
      .toArray();
    expect(stored.length).toBeGreaterThan(0);
    for (const c of stored) for (const field of FIELDS_EMPTY_UNTIL_SET) expect(c).not.toHaveProperty(field);
    const ready = await candidatesOf(f.models, f.profileId).collection.findOne({ status: 'ready' });
    expect(ready?.approval).toMatchObject({ by: expect.stringMatching(/^rule:/) });
    // The default order (stored places), a filtered, sorted page (a plain find), and the filter on
    // `reason` (absent on these) alike.
    for (const q of [{}, { status: 'pending' as const, sort: 'username' }, { spared: 'false' as const }]) {
      const page = await listCandidates({ models: f.models }, String(f.profileId), candidatesQuery.parse(q));
      const pending = (page.items as Record<string, unknown>[]).filter((c) => c.status === 'pending');
      expect(pending.length).toBeGreaterThan(0);
      for (const c of pending) for (const field of FIELDS_EMPTY_UNTIL_SET) expect(c[field]).toBeNull();
    }
  });

  it('when it runs again with nothing changed, then no candidate is added or retired, and none is read back', async () => {
    const before = await candidateKeys();
    const outcome = await compute();
    expect(outcome.result).toMatchObject({ created: 0, cancelled: 0, reopened: 0 });
    // Its own ledger, not a read of every candidate: what made a re-sync dearer than a first sync.
    expect(outcome.result).toMatchObject({ known: 'ledger', reread: 0 });
    expect(await candidateKeys()).toEqual(before);
  });

  it('when a compute finishes, then its savings point has the active seats the summary holds, counted on its own pass', async () => {
    const outcome = await compute();
    const runId = (outcome.result as { runId: string }).runId;
    const point = await f.models.SavingsHistory.findOne({ profileId: f.profileId, runId }).lean();
    // Counted afresh from the snapshot's summary, as the savings page does.
    const table = await buildSavingsTable(f.models, f.profileId, now);
    const activeOf = (rows: readonly { identifier: string; active: number }[]) =>
      Object.fromEntries(rows.map((m) => [m.identifier, m.active]));
    expect(table.totals.active).toBeGreaterThan(10);
    expect(activeOf(point?.models ?? [])).toEqual(activeOf(table.models));
  });

  it('when candidates are approved between two computes and their rule then changes, then the next compute sends exactly those back to pending from its ledger', async () => {
    const [target] = await candidatesOf(f.models, f.profileId)
      .find({ identifier: 'PKG:dsfs', status: 'pending' })
      .lean();
    if (!target) throw new Error('no pending dsfs candidate');
    const approved = await approveCandidates(f.models, f.profileId, { _id: target._id });
    expect(approved.map((c) => c._id)).toEqual([target._id]);
    await f.models.ReclamationRule.updateOne(
      { profileId: f.profileId, identifier: 'PKG:dsfs' },
      { $inc: { revision: 1 } },
    );

    const outcome = await compute();

    expect(outcome.result).toMatchObject({ known: 'ledger', reread: 1 });
    const after = await candidatesOf(f.models, f.profileId).findById(target._id).lean();
    expect(after).toMatchObject({ status: 'pending', approval: null, reason: 'rule_changed' });
    // The others were pending already: only the rule revision they were computed under moves on.
    expect(
      await candidatesOf(f.models, f.profileId).countDocuments({ identifier: 'PKG:dsfs', status: 'ready' }),
    ).toBe(0);
  });

  it('when candidates were decided since the last compute, then the counts from the compact state are those of the candidates as stored', async () => {
    const pending = await candidatesOf(f.models, f.profileId).find({ status: 'pending' }).limit(3).lean();
    await approveCandidates(f.models, f.profileId, { _id: { $in: pending.map((c) => c._id) } });

    const counted = await countCandidates(f.models, new ObjectId(f.profileId));

    const stored = await candidatesOf(f.models, f.profileId).find({}).lean();
    const tally = (key: (c: (typeof stored)[number]) => string) =>
      stored.reduce<Record<string, number>>((acc, c) => ({ ...acc, [key(c)]: (acc[key(c)] ?? 0) + 1 }), {});
    expect(counted).toMatchObject({ source: 'ledger', total: stored.length });
    expect(counted.byStatus).toEqual(tally((c) => c.status));
    expect(counted.byIdentifier).toEqual(tally((c) => c.identifier));
    expect(counted.byStatus.ready).toBeGreaterThanOrEqual(3);
  });

  it(
    'when a rule is disabled, then its open candidates are cancelled, settled ones are left alone, and re-enabling reopens them',
    async () => {
      const dsfs = await candidatesOf(f.models, f.profileId)
        .find({
          profileId: f.profileId,
          identifier: 'PKG:dsfs',
        })
        .lean();
      expect(dsfs.length).toBeGreaterThan(1);
      const rejected = dsfs[0];
      await candidatesOf(f.models, f.profileId).updateOne(
        { _id: rejected?._id },
        { $set: { status: 'rejected', decidedBy: 'admin' } },
      );
      // As every writer of a candidate does, so the next compute reads it again.
      await candidateJournalOf(f.models, f.profileId).record([String(rejected?._id)]);
      await f.models.ReclamationRule.updateOne(
        { profileId: f.profileId, identifier: 'PKG:dsfs' },
        { $set: { enabled: false } },
      );

      const outcome = await compute();
      expect(outcome.result).toMatchObject({ cancelled: dsfs.length - 1, created: 0 });
      const after = await candidatesOf(f.models, f.profileId)
        .find({
          profileId: f.profileId,
          identifier: 'PKG:dsfs',
        })
        .lean();
      expect(after.filter((c) => c.status === 'cancelled')).toHaveLength(dsfs.length - 1);
      expect(after.find((c) => c._id === rejected?._id)?.status).toBe('rejected');

      await f.models.ReclamationRule.updateOne(
        { profileId: f.profileId, identifier: 'PKG:dsfs' },
        { $set: { enabled: true } },
      );
      const again = await compute();
      expect(again.result).toMatchObject({ reopened: dsfs.length - 1, created: 0 });
      expect(
        await candidatesOf(f.models, f.profileId).countDocuments({
          profileId: f.profileId,
          identifier: 'PKG:dsfs',
          status: 'pending',
        }),
      ).toBe(dsfs.length - 1);
    },
    SLOW_TEST_MS,
  );

  it('when a user is excluded after becoming a candidate, then the candidate is cancelled and never comes back while excluded', async () => {
    const target = await candidatesOf(f.models, f.profileId)
      .findOne({
        profileId: f.profileId,
        status: 'ready',
      })
      .lean();
    if (!target) throw new Error('no ready candidate');
    await f.models.ExclusionRule.create({
      profileId: f.profileId,
      kind: 'user_id',
      value: target.userId.slice(0, 15),
      createdBy: 'test',
    });
    await compute();
    const all = await candidatesOf(f.models, f.profileId)
      .find({
        profileId: f.profileId,
        userId: target.userId,
      })
      .lean();
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) expect(['cancelled', 'rejected']).toContain(c.status);
    await compute();
    expect(
      (
        await candidatesOf(f.models, f.profileId)
          .find({ profileId: f.profileId, userId: target.userId })
          .lean()
      ).every((c) => c.status !== 'ready' && c.status !== 'pending'),
    ).toBe(true);
  });
});
