/**
 * The reclaim safety property, over a long seeded sequence of what admins and users do: rule edits,
 * exclusions, approvals, withdrawals, pauses, stops, logins, days passing, and runs. After every run,
 * every record Salesforce changed must be covered, at the moment of the write, by an approval of that
 * exact action under the rule as it then stood, for a user who was still eligible and not stopped.
 * The state each write is judged against is read just before the reclaim job, which nothing else
 * changes while it runs.
 */
import { ObjectId, type Collection } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { applyCandidateMoves } from '../../shared/db/candidateMoves.js';
import { GLOBAL_SWITCH_ID } from '../../shared/db/models/reclaimSwitch.model.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { RECLAIM_ACTIONS, type ReclaimAction } from '../../shared/db/models/reclamationRule.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { DAY_MS, isInactive, isWithinGrace } from '../../shared/domain/inactivity.js';
import type { UserState } from '../../simulator/org/orgTruth.js';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { createReclaimProcessor } from '../../worker/processors/reclaim.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';
import { seededRandom } from '../helpers/seededRandom.js';

const STEPS = 220;
const SEED = 20261129;

interface Candidate {
  _id: string;
  userId: string;
  identifier: string;
  ruleId: ObjectId;
  action: ReclaimAction;
  status: CandidateStatus;
  approval: { ruleId: ObjectId; ruleRevision: number; action: ReclaimAction; deactivateNow: boolean } | null;
  frozenAt: Date | null;
  deactivateAfter: Date | null;
}

let f: ProfileFixture;
const started = Date.now();
let day = 0;
const now = () => new Date(started + day * DAY_MS);
const oid = () => new ObjectId(f.profileId);
const key = (id: string) => id.slice(3, 15);
const collection = () => candidatesOf(f.models, f.profileId).collection as unknown as Collection<Candidate>;

const rnd = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rnd() * items.length)];
const sample = <T>(items: readonly T[], n: number): T[] =>
  items.filter(() => rnd() < n / Math.max(1, items.length));

beforeAll(async () => {
  f = await createProfileFixture({ label: 'reclaimsafety', org: { users: 300, seed: 5 } });
  await runSync(false);
}, 120_000);
afterAll(async () => f?.close());

async function runSync(withReclaim: boolean): Promise<void> {
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  await f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps, { now }));
  if (withReclaim) await reclaimAndCheck();
}

/** Everything a write may depend on, as it stands right before the reclaim job. */
async function stateBeforeReclaim() {
  const [profile, globalSwitch, rules, exclusions, candidates] = await Promise.all([
    f.models.IntegrationProfile.findById(oid()).lean(),
    f.models.ReclaimSwitch.findById(GLOBAL_SWITCH_ID).lean(),
    f.models.ReclamationRule.find({ profileId: oid() }).lean(),
    f.models.ExclusionRule.find({ profileId: oid(), enabled: true }).lean(),
    collection().find({}).toArray(),
  ]);
  const users = new Map<string, UserState>();
  for (const c of candidates) {
    const u = f.sim.admin.user(f.org.orgId, c.userId);
    if (u) users.set(key(u.id), u);
  }
  return {
    stopped: profile?.status === 'paused' || profile?.reclaimStop != null || globalSwitch?.stopped === true,
    rules: new Map(rules.map((r) => [String(r._id), r])),
    excluded: new Set(exclusions.filter((e) => e.kind === 'user_id').map((e) => key(e.value))),
    candidates,
    users,
  };
}

type Before = Awaited<ReturnType<typeof stateBeforeReclaim>>;

/** Whether `c` covered a write of `kind` at that moment; the reason it did not otherwise. */
function coverage(
  before: Before,
  c: Candidate,
  kind: 'freeze' | 'deactivate' | 'remove',
  at: Date,
): string | null {
  const rule = before.rules.get(String(c.ruleId));
  const user = before.users.get(key(c.userId));
  const a = c.approval;
  if (!rule || !user) return 'no rule or user';
  if (c.status !== 'ready' && c.status !== 'frozen') return `status ${c.status}`;
  if (!rule.enabled) return 'rule disabled';
  if (
    !a ||
    String(a.ruleId) !== String(rule._id) ||
    a.ruleRevision !== rule.revision ||
    a.action !== rule.action
  )
    return 'approval does not cover the rule as it stands';
  if (c.action !== rule.action) return 'candidate action differs from the rule';
  if (before.excluded.has(key(c.userId))) return 'excluded';
  if (c.userId.slice(0, 15) === f.org.adminUserId.slice(0, 15)) return 'the integration user';
  if (user.profile === 'Custom: Integration (API only)') return 'an API-only user';
  const facts = {
    lastLoginAt: user.lastLoginDate ? new Date(user.lastLoginDate) : null,
    userCreatedAt: new Date(user.createdDate),
  };
  if (kind === 'remove') {
    if (rule.action !== 'remove_assignment') return 'not a removal rule';
    return !user.isActive || isInactive(facts, rule.thresholdDays, at) ? null : 'user active since';
  }
  if (!user.isActive) return 'user inactive';
  if (c.status === 'frozen') {
    if (kind !== 'deactivate') return 'frozen candidates are only deactivated';
    if (!user.isFrozen) return 'released';
    if (!c.deactivateAfter || c.deactivateAfter.getTime() > at.getTime()) return 'grace not over';
    if (facts.lastLoginAt && c.frozenAt && facts.lastLoginAt > c.frozenAt) return 'logged in since frozen';
    return null;
  }
  if (!isInactive(facts, rule.thresholdDays, at)) return 'logged in within the threshold';
  if (isWithinGrace(facts.userCreatedAt, rule.graceDays, at)) return 'account in grace';
  if (rule.action === 'freeze_user') return kind === 'freeze' ? null : 'freeze rule, other write';
  if (rule.action !== 'deactivate_user') return 'not a user rule';
  const now = a.deactivateNow && rule.deactivateNow;
  // A refused deactivation may freeze instead (freezeOnRefusal).
  if (kind === 'deactivate') return now ? null : 'two-phase rule deactivated without the freeze';
  return null;
}

async function reclaimAndCheck(): Promise<void> {
  const before = await stateBeforeReclaim();
  const mark = f.sim.callLog.entries({ orgId: f.org.orgId }).at(-1)?.seq ?? 0;
  const at = now();
  await f.runJob('reclaim', createReclaimProcessor(f.deps, { now }));
  const writes = f.sim.callLog
    .entries({ orgId: f.org.orgId, pathIncludes: '/composite/sobjects' })
    .filter((e) => e.seq > mark && (e.written?.length ?? 0) > 0);
  if (before.stopped) expect(writes, 'a write while stopped or paused').toEqual([]);
  const ownerOfAssignment = new Map<string, string>();
  for (const u of before.users.values()) {
    for (const a of [
      ...u.permissionSetLicenseAssignments,
      ...u.packageLicenseAssignments,
      ...u.permissionSetAssignments,
    ])
      ownerOfAssignment.set(a.id.slice(0, 15), u.id);
  }
  const seen = new Set<string>();
  for (const entry of writes) {
    for (const id of entry.written ?? []) {
      expect(seen.has(id), `${id} written twice in one run`).toBe(false);
      seen.add(id);
      const kind = id.startsWith('005') ? 'deactivate' : id.startsWith('060') ? 'freeze' : 'remove';
      const userId = kind === 'remove' ? ownerOfAssignment.get(id.slice(0, 15)) : `005${id.slice(3)}`;
      expect(userId, `owner of ${id}`).toBeDefined();
      const mine = before.candidates.filter((c) => key(c.userId) === key(userId as string));
      const reasons = mine.map(
        (c) => `${c.identifier} ${c.action} ${c.status}: ${coverage(before, c, kind, at) ?? 'covers'}`,
      );
      expect(
        mine.some((c) => coverage(before, c, kind, at) === null),
        `${kind} of ${id} (${userId}) not covered: ${JSON.stringify(reasons)}`,
      ).toBe(true);
    }
  }
  expect(await collection().countDocuments({ status: 'reclaiming' })).toBe(0);
}

/**
 * The steps, by weight; each is something an admin, a user or the calendar does. What a step picks
 * is read in a fixed order: in storage order the picks (and so the whole sequence) followed where
 * PostgreSQL happened to put updated rows, which differed with the machine's load.
 */
const STEPS_BY_WEIGHT: [number, () => Promise<void>][] = [
  [
    5,
    async () =>
      void (await approveCandidates(f.models, f.profileId, {
        _id: {
          $in: sample(
            (await collection().find({ status: 'pending' }).sort({ _id: 1 }).toArray()).map((c) => c._id),
            12,
          ),
        },
      })),
  ],
  [
    2,
    async () => {
      const ready = (
        await collection()
          .find({ status: { $in: ['ready', 'frozen'] } })
          .sort({ _id: 1 })
          .toArray()
      ).filter(() => rnd() < 0.2);
      await applyCandidateMoves(
        collection(),
        ready.map((c) => ({
          id: c._id,
          from: c.status,
          events: ['withdraw'] as const,
          set: { approval: null },
        })),
        now(),
        candidateJournalOf(f.models, f.profileId),
      );
    },
  ],
  [
    4,
    async () => {
      const rule = pick(
        await f.models.ReclamationRule.find({ profileId: oid() }).sort({ identifier: 1 }).lean(),
      );
      if (!rule) return;
      const change = pick([
        { thresholdDays: 1 + Math.floor(rnd() * 120) },
        { action: pick(RECLAIM_ACTIONS) },
        { requiresApproval: rnd() < 0.7 },
        { enabled: rnd() < 0.8 },
        { deactivateNow: rnd() < 0.5 },
        { freezeDays: Math.floor(rnd() * 10) },
        { graceDays: Math.floor(rnd() * 60) },
      ]) as Record<string, unknown>;
      await f.models.ReclamationRule.updateOne({ _id: rule._id }, { $set: change, $inc: { revision: 1 } });
    },
  ],
  [
    2,
    async () => {
      const c = pick(
        await collection()
          .find({ status: { $in: ['pending', 'ready', 'frozen'] } })
          .sort({ _id: 1 })
          .toArray(),
      );
      if (c)
        await f.models.ExclusionRule.updateOne(
          { profileId: oid(), kind: 'user_id', value: c.userId },
          { $setOnInsert: { createdBy: 'prop', enabled: true } },
          { upsert: true },
        );
    },
  ],
  [
    1,
    async () => {
      const e = pick(await f.models.ExclusionRule.find({ profileId: oid() }).sort({ _id: 1 }).lean());
      if (e) await f.models.ExclusionRule.deleteOne({ _id: e._id });
    },
  ],
  [
    1,
    async () =>
      void (await f.models.IntegrationProfile.updateOne(
        { _id: oid() },
        { $set: { status: rnd() < 0.5 ? 'paused' : 'published' } },
      )),
  ],
  [
    1,
    async () =>
      void (await f.models.IntegrationProfile.updateOne(
        { _id: oid() },
        { $set: { reclaimStop: rnd() < 0.5 ? { by: 'prop', at: new Date() } : null } },
      )),
  ],
  [
    1,
    async () => {
      if (rnd() < 0.5)
        await f.models.ReclaimSwitch.updateOne(
          { _id: GLOBAL_SWITCH_ID },
          { $set: { stopped: true, by: 'prop', at: new Date() } },
          { upsert: true },
        );
      else await f.models.ReclaimSwitch.deleteOne({ _id: GLOBAL_SWITCH_ID });
    },
  ],
  [
    4,
    async () => {
      for (const c of sample(
        await collection()
          .find({ status: { $in: ['pending', 'ready'] } })
          .sort({ _id: 1 })
          .toArray(),
        6,
      )) {
        const u = f.sim.admin.user(f.org.orgId, c.userId);
        if (u?.isActive && !u.isFrozen) f.sim.admin.logIn(f.org.orgId, c.userId, now());
      }
    },
  ],
  [3, async () => void (day += 1 + Math.floor(rnd() * 8))],
  // Syncs and reclaims are separate steps, so anything above can happen between the computation
  // and the write: only the re-check at the write stands between them and a wrong write.
  [2, () => runSync(false)],
  [3, () => reclaimAndCheck()],
];

it(`when ${STEPS} seeded steps of rule changes, exclusions, approvals, withdrawals, pauses, stops, logins and runs happen, then no write is ever made without an approval of that exact action under the rule as it stood, for a user still eligible`, async () => {
  const weights = STEPS_BY_WEIGHT.map(([w]) => w);
  const total = weights.reduce((a, b) => a + b, 0);
  let runs = 0;
  for (let step = 0; step < STEPS; step += 1) {
    let roll = rnd() * total;
    const index = weights.findIndex((w) => (roll -= w) < 0);
    const [, act] = STEPS_BY_WEIGHT[index] ?? STEPS_BY_WEIGHT[0]!;
    if (index >= STEPS_BY_WEIGHT.length - 2) runs += 1;
    await act();
  }
  await runSync(true);
  expect(runs).toBeGreaterThan(10);
  // The sequence did write: a property over runs that never reclaimed anything proves nothing.
  const written = f.sim.callLog
    .entries({ orgId: f.org.orgId, pathIncludes: '/composite/sobjects' })
    .filter((e) => (e.written?.length ?? 0) > 0);
  expect(written.length).toBeGreaterThan(5);
}, 600_000);
