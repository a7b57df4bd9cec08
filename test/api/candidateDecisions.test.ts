/**
 * A person's decisions on removal candidates, through the api over real FerretDB: every move the
 * transition table allows, every one it refuses, approvals bound to the rule as it stands, and one
 * audit entry per candidate moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANDIDATE_STATUSES, type CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { seedCandidate, seedRule, statusOf } from './reclaimFixtures.js';

let api: ApiHarness;
let profileId = '';
let next = 1;
const n = () => next++;

beforeAll(async () => {
  api = await startApi();
  const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Decisions' } });
  profileId = (p.json as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string }[]; [k: string]: unknown };
const base = () => `/api/v1/profiles/${profileId}/removal-candidates`;
const decide = (decision: string, ids: string[], token: 'admin' | 'integrator' | 'operator' = 'admin') =>
  api.call('post', `${base()}/decisions`, { body: { decision, ids }, token });
const one = (id: string, decision: string) =>
  api.call('post', `${base()}/${encodeURIComponent(id)}/${decision}`, { token: 'integrator' });
const auditOf = (candidateId: string) =>
  api.models.AuditEntry.find({ candidateId }).sort({ at: 1, _id: 1 }).lean();

/** The moves a person may make, written out independently of the table they come from. */
const PERSON_MOVES: Record<string, Partial<Record<CandidateStatus, CandidateStatus>>> = {
  approve: { pending: 'ready', withdrawn: 'ready' },
  reject: { pending: 'rejected', ready: 'rejected', withdrawn: 'rejected', failed: 'rejected' },
  withdraw: { ready: 'withdrawn', frozen: 'withdrawn' },
  retry: { failed: 'ready' },
};

describe('candidate decisions', () => {
  it('when a pending candidate is approved, then it is ready with an approval bound to the rule as it stands, and one audit entry records rule and evidence', async () => {
    const rule = await seedRule(api, profileId, { revision: 3, deactivateNow: true, thresholdDays: 90 });
    const id = await seedCandidate(api, profileId, n(), 'pending', rule);
    const res = await decide('approve', [id], 'integrator');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ decided: [id], status: 'ready', skipped: [] });
    const stored = await statusOf(api, profileId, id);
    expect(stored).toMatchObject({
      status: 'ready',
      decidedBy: 'integrator-user',
      approval: {
        by: 'integrator-user',
        ruleId: rule._id,
        ruleRevision: 3,
        action: 'deactivate_user',
        deactivateNow: true,
      },
    });
    expect(stored!.approval!.at.getTime()).toBe(stored!.decidedAt!.getTime());
    const audit = await auditOf(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'approve',
      actor: 'integrator-user',
      userId: stored!.userId,
      username: stored!.username,
      outcome: 'pending->ready',
      rule: { id: rule._id, revision: 3, action: 'deactivate_user', thresholdDays: 90 },
      evidence: { daysInactive: stored!.evidence!.daysInactive, thresholdDays: 60 },
    });
    expect(String(audit[0]!.profileId)).toBe(profileId);
  });

  it('when each decision meets each status, then it moves exactly as the lifecycle allows and is refused (409, nothing changed) otherwise', async () => {
    const rule = await seedRule(api, profileId);
    const wrong: string[] = [];
    for (const [decision, moves] of Object.entries(PERSON_MOVES)) {
      for (const from of CANDIDATE_STATUSES) {
        const id = await seedCandidate(api, profileId, n(), from, rule);
        const res = await one(id, decision);
        const to = moves[from];
        const now = (await statusOf(api, profileId, id))!.status;
        if (to) {
          if (res.status !== 200 || now !== to || (res.json as { status: string }).status !== to)
            wrong.push(`${decision} ${from}: ${res.status} → ${now}, wanted 200 → ${to}`);
        } else {
          const problem = res.json as Problem;
          if (
            res.status !== 409 ||
            problem.code !== 'INVALID_TRANSITION' ||
            now !== from ||
            JSON.stringify(problem.invalid) !== JSON.stringify([{ id, status: from }])
          )
            wrong.push(`${decision} ${from}: ${res.status} ${problem.code} → ${now}, wanted 409 and ${from}`);
          if ((await auditOf(id)).length !== 0) wrong.push(`${decision} ${from}: audited a refused move`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('when a batch names an unknown candidate, then 404 lists exactly the unknown ones and none of the others moves', async () => {
    const rule = await seedRule(api, profileId);
    const known = await seedCandidate(api, profileId, n(), 'pending', rule);
    const res = await decide('approve', [known, `${profileId}|nobody|UL:SFDC`, 'also-nobody']);
    expect(res.status).toBe(404);
    expect((res.json as Problem).unknown).toEqual([`${profileId}|nobody|UL:SFDC`, 'also-nobody']);
    expect((await statusOf(api, profileId, known))!.status).toBe('pending');
    expect(await auditOf(known)).toHaveLength(0);
  });

  it('when a batch holds one candidate whose status has no such move, then 409 INVALID_TRANSITION names it with its status and none of the batch moves', async () => {
    const rule = await seedRule(api, profileId);
    const a = await seedCandidate(api, profileId, n(), 'pending', rule);
    const b = await seedCandidate(api, profileId, n(), 'reclaiming', rule);
    const c = await seedCandidate(api, profileId, n(), 'withdrawn', rule);
    const res = await decide('approve', [a, b, c]);
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      code: 'INVALID_TRANSITION',
      invalid: [{ id: b, status: 'reclaiming' }],
      allowedFrom: ['pending', 'withdrawn'],
    });
    for (const [id, status] of [
      [a, 'pending'],
      [b, 'reclaiming'],
      [c, 'withdrawn'],
    ] as const)
      expect((await statusOf(api, profileId, id))!.status).toBe(status);
  });

  it("when the rule's revision or action moved since the candidate was computed, then approve and retry answer RULE_CHANGED, nothing moves, and reject still works", async () => {
    const rule = await seedRule(api, profileId, { revision: 2 });
    const older = await seedCandidate(api, profileId, n(), 'pending', { ...rule, revision: 1 });
    const otherAction = await seedCandidate(api, profileId, n(), 'pending', {
      ...rule,
      action: 'freeze_user',
    });
    const failed = await seedCandidate(api, profileId, n(), 'failed', { ...rule, revision: 1 });
    const current = await seedCandidate(api, profileId, n(), 'pending', rule);
    const res = await decide('approve', [current, older, otherAction]);
    expect(res.status).toBe(409);
    const problem = res.json as Problem & { candidates: { id: string }[] };
    expect(problem.code).toBe('RULE_CHANGED');
    expect(problem.candidates.map((c) => c.id)).toEqual([older, otherAction]);
    expect((await statusOf(api, profileId, current))!.status).toBe('pending');
    const retry = await one(failed, 'retry');
    expect(retry.status).toBe(409);
    expect((retry.json as Problem).code).toBe('RULE_CHANGED');
    expect((await statusOf(api, profileId, failed))!.status).toBe('failed');
    const reject = await decide('reject', [older]);
    expect(reject.json).toMatchObject({ decided: [older], status: 'rejected' });
  });

  it('when the rule is disabled or deleted, then approve answers RULE_DISABLED naming which, and nothing moves', async () => {
    const disabled = await seedRule(api, profileId, { enabled: false });
    const gone = await seedRule(api, profileId);
    const a = await seedCandidate(api, profileId, n(), 'pending', disabled);
    const b = await seedCandidate(api, profileId, n(), 'withdrawn', gone);
    await api.models.ReclamationRule.deleteOne({ _id: gone._id });
    const res = await decide('approve', [a, b]);
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      code: 'RULE_DISABLED',
      candidates: [
        { id: a, rule: 'disabled' },
        { id: b, rule: 'deleted' },
      ],
    });
    expect((await statusOf(api, profileId, a))!.status).toBe('pending');
    expect((await statusOf(api, profileId, b))!.status).toBe('withdrawn');
    // Taking it back needs no rule: the audit keeps the candidate's own view of the deleted rule.
    const withdrawnReject = await decide('reject', [b]);
    expect(withdrawnReject.status).toBe(200);
    expect((await auditOf(b))[0]).toMatchObject({ action: 'reject', rule: { id: gone._id, revision: 1 } });
  });

  it('when an approval is withdrawn (ready or frozen) or rejected, then the approval is cleared and each is audited', async () => {
    const rule = await seedRule(api, profileId);
    const ready = await seedCandidate(api, profileId, n(), 'pending', rule);
    const toReject = await seedCandidate(api, profileId, n(), 'pending', rule);
    expect((await decide('approve', [ready, toReject])).status).toBe(200);
    const frozen = await seedCandidate(api, profileId, n(), 'frozen', rule, {
      approval: { by: 'x', at: new Date(), ruleId: rule._id, ruleRevision: 1, action: 'deactivate_user' },
      frozenAt: new Date(),
    });
    const withdraw = await decide('withdraw', [ready, frozen], 'integrator');
    expect(withdraw.json).toMatchObject({ decided: [ready, frozen], status: 'withdrawn' });
    const reject = await one(toReject, 'reject');
    expect(reject.json).toMatchObject({ decided: [toReject], status: 'rejected' });
    for (const id of [ready, frozen, toReject]) {
      const stored = await statusOf(api, profileId, id);
      expect(stored!.approval).toBeNull();
      expect(stored!.decidedBy).toBe('integrator-user');
    }
    expect((await auditOf(frozen)).map((e) => [e.action, e.outcome])).toEqual([
      ['withdraw', 'frozen->withdrawn'],
    ]);
    expect((await auditOf(ready)).map((e) => [e.action, e.outcome])).toEqual([
      ['approve', 'pending->ready'],
      ['withdraw', 'ready->withdrawn'],
    ]);
    // A withdrawn candidate can be approved again, under the rule as it stands.
    const again = await decide('approve', [ready]);
    expect(again.json).toMatchObject({ decided: [ready], status: 'ready' });
    expect((await statusOf(api, profileId, ready))!.approval).toMatchObject({ by: 'admin-user' });
  });

  it('when a failed candidate is retried, then it is ready again under a fresh approval', async () => {
    const rule = await seedRule(api, profileId, { revision: 4 });
    const id = await seedCandidate(api, profileId, n(), 'failed', rule, {
      lastError: { code: 'CANNOT_DEACTIVATE', message: 'default owner' },
    });
    const res = await one(id, 'retry');
    expect(res.json).toMatchObject({ decided: [id], status: 'ready' });
    expect((await statusOf(api, profileId, id))!.approval).toMatchObject({
      by: 'integrator-user',
      ruleRevision: 4,
    });
    expect((await auditOf(id)).map((e) => e.outcome)).toEqual(['failed->ready']);
  });

  it('when candidates of two statuses are approved in one request, then all of them move and each gets exactly one audit entry, and one unknown id among them moves none', async () => {
    const rule = await seedRule(api, profileId);
    const start = 100_000;
    const docs = Array.from({ length: 130 }, (_, i) => ({
      _id: `${profileId}|bulk${start + i}|UL:SFDC`,
      profileId,
      userId: `bulk${start + i}`,
      username: `bulk${i}@example.com`,
      identifier: 'UL:SFDC',
      ruleId: rule._id,
      ruleRevision: 1,
      action: 'deactivate_user',
      justification: 'inactive_user',
      evidence: { lastLoginAt: null, userCreatedAt: new Date(0), daysInactive: 400, thresholdDays: 60 },
      status: i % 2 === 0 ? 'pending' : 'withdrawn',
      lastComputedSyncId: 'sync-1',
    }));
    await candidatesOf(api.models, profileId).insertMany(docs);
    const ids = docs.map((d) => d._id);
    const unknown = `${profileId}|nobody|UL:SFDC`;
    const refused = await decide('approve', [...ids, unknown]);
    expect(refused.status).toBe(404);
    expect((refused.json as { unknown: string[] }).unknown).toEqual([unknown]);
    expect(
      await candidatesOf(api.models, profileId).countDocuments({ _id: { $in: ids }, status: 'ready' }),
    ).toBe(0);
    const res = await decide('approve', ids);
    expect(res.status).toBe(200);
    expect(new Set((res.json as { decided: string[] }).decided)).toEqual(new Set(ids));
    expect(
      await candidatesOf(api.models, profileId).countDocuments({ _id: { $in: ids }, status: 'ready' }),
    ).toBe(130);
    expect(await api.models.AuditEntry.countDocuments({ candidateId: { $in: ids }, action: 'approve' })).toBe(
      130,
    );
  });

  it('when one request approves candidates of several licenses, ids of other forms among them, then every one moves with one audit entry, and a pending one not named stays', async () => {
    const rules = {
      'UL:SFDC': await seedRule(api, profileId),
      'PSL:Console|Plus': await seedRule(api, profileId, { identifier: 'PSL:Console|Plus' }),
    };
    const candidate = (id: string, user: string, identifier: keyof typeof rules) => ({
      _id: id,
      profileId,
      userId: user,
      username: `${user}@example.com`,
      identifier,
      ruleId: rules[identifier]._id,
      ruleRevision: 1,
      action: 'deactivate_user',
      justification: 'inactive_user',
      evidence: { lastLoginAt: null, userCreatedAt: new Date(0), daysInactive: 400, thresholdDays: 60 },
      status: 'pending',
      lastComputedSyncId: 'sync-1',
    });
    const docs = [
      candidate(`${profileId}|multi1|UL:SFDC`, 'multi1', 'UL:SFDC'),
      candidate(`${profileId}|multi2|PSL:Console|Plus`, 'multi2', 'PSL:Console|Plus'),
      // Stored under another license than its id names, and ids not of the form `candidateId` builds:
      // found all the same.
      candidate(`${profileId}|multi3|PSL:Console|Plus`, 'multi3', 'UL:SFDC'),
      candidate(`legacy-multi4`, 'multi4', 'UL:SFDC'),
      candidate(`000000000000000000000000|multi5|UL:SFDC`, 'multi5', 'UL:SFDC'),
    ];
    const untouched = candidate(`${profileId}|multi6|UL:SFDC`, 'multi6', 'UL:SFDC');
    await candidatesOf(api.models, profileId).insertMany([...docs, untouched]);
    const ids = docs.map((d) => d._id);
    const res = await decide('approve', ids);
    expect(res.status).toBe(200);
    expect(new Set((res.json as { decided: string[] }).decided)).toEqual(new Set(ids));
    for (const id of ids) expect((await statusOf(api, profileId, id))?.status).toBe('ready');
    expect((await statusOf(api, profileId, untouched._id))?.status).toBe('pending');
    expect(await api.models.AuditEntry.countDocuments({ candidateId: { $in: ids }, action: 'approve' })).toBe(
      ids.length,
    );
  });

  it('when two approvals of the same candidates race, then each candidate moves once, the later request is refused, and each has exactly one audit entry', async () => {
    const rule = await seedRule(api, profileId);
    for (let round = 0; round < 5; round++) {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await seedCandidate(api, profileId, n(), 'pending', rule));
      const answers = await Promise.all([decide('approve', ids), decide('approve', ids, 'integrator')]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200)!;
      expect((winner.json as { decided: string[] }).decided).toEqual(ids);
      expect(await api.models.AuditEntry.countDocuments({ candidateId: { $in: ids } })).toBe(ids.length);
    }
  }, 120_000);

  it('when the input is bad (unknown decision, no ids, 10,001 ids) or the caller an operator, then 400 or 403 and nothing moves; 10,000 ids (a body past the default limit) are accepted', async () => {
    const rule = await seedRule(api, profileId);
    const id = await seedCandidate(api, profileId, n(), 'pending', rule);
    const bad = await api.call('post', `${base()}/decisions`, {
      body: { decision: 'deactivate', ids: [id] },
    });
    expect(bad.status).toBe(400);
    expect((bad.json as Problem).errors!.map((e) => e.field)).toEqual(['body.decision']);
    const none = await decide('approve', []);
    expect((none.json as Problem).errors!.map((e) => e.field)).toEqual(['body.ids']);
    const many = await decide(
      'approve',
      Array.from({ length: 10_001 }, () => id),
    );
    expect((many.json as Problem).errors!.map((e) => e.field)).toEqual(['body.ids']);
    expect((await decide('approve', [id], 'operator')).status).toBe(403);
    expect((await statusOf(api, profileId, id))!.status).toBe('pending');
    // 10,000 is the limit, not past it (the same id, so the batch stays one candidate).
    const most = await decide(
      'reject',
      Array.from({ length: 10_000 }, () => id),
    );
    expect(most.json).toMatchObject({ decided: [id], status: 'rejected' });
  });
});
