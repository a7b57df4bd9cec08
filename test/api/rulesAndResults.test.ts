import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './apiHarness.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { packUser } from '../../shared/db/subscriptionSummary.js';

let api: ApiHarness;
let profileId = '';
beforeAll(async () => {
  api = await startApi();
  const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Results' } });
  profileId = (p.json as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string; message: string }[] };
const fieldsOf = (json: unknown) => ((json as Problem).errors ?? []).map((e) => e.field);
type Page = { items: Record<string, unknown>[]; total: number };

describe('rules', () => {
  it('when exclusion rules are created, listed, changed and deleted, then each step shows', async () => {
    const base = `/api/v1/profiles/${profileId}/exclusion-rules`;
    const created = await api.call('post', base, {
      body: { kind: 'username_pattern', value: '*@partner.example' },
      token: 'integrator',
    });
    expect(created.status).toBe(201);
    const ruleId = (created.json as { id: string }).id;
    expect(created.json).toMatchObject({ createdBy: 'integrator-user', enabled: true });
    const dup = await api.call('post', base, {
      body: { kind: 'username_pattern', value: '*@partner.example' },
    });
    expect(dup.status).toBe(409);
    const bad = await api.call('post', base, { body: { kind: 'nickname', value: 'x' } });
    expect(fieldsOf(bad.json)).toEqual(['body.kind']);
    const patched = await api.call('patch', `${base}/${ruleId}`, { body: { enabled: false } });
    expect(patched.json).toMatchObject({ enabled: false });
    const list = await api.call('get', `${base}?enabled=false`, { token: 'viewer' });
    expect((list.json as Page).total).toBe(1);
    expect((await api.call('delete', `${base}/${ruleId}`)).status).toBe(204);
    expect((await api.call('get', `${base}/${ruleId}`)).status).toBe(404);
  });

  it('when rules and exclusions are created, changed and deleted, then each change is in the audit trail with its actor and values', async () => {
    const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Rules audited' } });
    const id = (p.json as { id: string }).id;
    const rules = `/api/v1/profiles/${id}/reclamation-rules`;
    const exclusions = `/api/v1/profiles/${id}/exclusion-rules`;
    const rule = await api.call('post', rules, { body: { identifier: 'UL:SFDC', name: 'Sales' } });
    const ruleId = (rule.json as { id: string }).id;
    await api.call('patch', `${rules}/${ruleId}`, { body: { thresholdDays: 45 }, token: 'integrator' });
    const ex = await api.call('post', exclusions, { body: { kind: 'user_type', value: 'PowerPartner' } });
    await api.call('delete', `${exclusions}/${(ex.json as { id: string }).id}`);
    await api.call('delete', `${rules}/${ruleId}`);
    const audit = await api.call('get', `/api/v1/profiles/${id}/audit?limit=10`, { token: 'viewer' });
    type Entry = {
      action: string;
      actor: string;
      rule: { revision: number; thresholdDays: number } | null;
      evidence: Record<string, unknown>;
    };
    const items = (audit.json as { items: Entry[] }).items;
    expect(items.map((e) => [e.action, e.actor])).toEqual([
      ['rule_created', 'admin-user'],
      ['rule_changed', 'integrator-user'],
      ['exclusion_created', 'admin-user'],
      ['exclusion_deleted', 'admin-user'],
      ['rule_deleted', 'admin-user'],
    ]);
    // The change that voids earlier approvals names the revision it made.
    expect(items[1]).toMatchObject({
      rule: { revision: 2, thresholdDays: 45 },
      evidence: { thresholdDays: { from: 60, to: 45 } },
    });
    expect(items[3]?.evidence).toMatchObject({ kind: 'user_type', value: 'PowerPartner' });
  });

  it('when a username pattern has too many wildcards or characters, then it is refused with 400 naming body.value', async () => {
    const base = `/api/v1/profiles/${profileId}/exclusion-rules`;
    const pathological = `${'*?'.repeat(10)}#`;
    const refused = await api.call('post', base, { body: { kind: 'username_pattern', value: pathological } });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'body.value', message: expect.stringMatching(/at most 16 wildcards/) }],
    });
    // The same text is a fine value for a kind that is not a glob.
    const profileRule = await api.call('post', base, { body: { kind: 'profile_name', value: pathological } });
    expect(profileRule.status).toBe(201);
    const created = await api.call('post', base, {
      body: { kind: 'username_pattern', value: 'ops.*@acme.example' },
    });
    const ruleId = (created.json as { id: string }).id;
    const patched = await api.call('patch', `${base}/${ruleId}`, { body: { value: `${'a'.repeat(129)}*` } });
    expect(patched.status).toBe(400);
    expect(fieldsOf(patched.json)).toEqual(['body.value']);
    const kept = await api.call('get', `${base}/${ruleId}`);
    expect(kept.json).toMatchObject({ value: 'ops.*@acme.example' });
  });

  it('when an auto-generated reclamation rule is edited, then it records who reviewed it; bad values name the field', async () => {
    const rule = await api.models.ReclamationRule.create({
      profileId,
      identifier: 'UL:SFDC',
      name: 'Salesforce',
      autoGenerated: true,
    });
    const base = `/api/v1/profiles/${profileId}/reclamation-rules`;
    const res = await api.call('patch', `${base}/${String(rule._id)}`, {
      body: { thresholdDays: 90, requiresApproval: false },
    });
    expect(res.json).toMatchObject({
      thresholdDays: 90,
      requiresApproval: false,
      reviewedBy: 'admin-user',
      autoGenerated: true,
    });
    const bad = await api.call('patch', `${base}/${String(rule._id)}`, {
      body: { thresholdDays: -3, action: 'delete_everything' },
    });
    expect(fieldsOf(bad.json).sort()).toEqual(['body.action', 'body.thresholdDays']);
    const listed = await api.call('get', `${base}?autoGenerated=true`);
    expect((listed.json as Page).total).toBe(1);
  });
});

describe('reclamation rule revisions', () => {
  const base = () => `/api/v1/profiles/${profileId}/reclamation-rules`;
  type Rule = {
    id: string;
    revision?: number;
    deactivateNow: boolean;
    freezeDays: number;
    freezeOnRefusal: boolean;
  };

  it('when a rule is created with the freeze settings, then they are stored; out-of-range values name the field', async () => {
    const res = await api.call('post', base(), {
      body: {
        identifier: 'PSL:Freeze',
        name: 'Freeze',
        deactivateNow: true,
        freezeDays: 14,
        freezeOnRefusal: false,
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      deactivateNow: true,
      freezeDays: 14,
      freezeOnRefusal: false,
      revision: 1,
    });
    const defaults = await api.call('post', base(), {
      body: { identifier: 'PSL:Defaults', name: 'Defaults' },
    });
    expect(defaults.json).toMatchObject({ deactivateNow: false, freezeDays: 7, freezeOnRefusal: true });
    for (const [freezeDays, ok] of [
      [0, true],
      [365, true],
      [366, false],
      [-1, false],
      [1.5, false],
    ] as const) {
      const r = await api.call('post', base(), {
        body: { identifier: `PSL:Days${String(freezeDays)}`, name: 'Days', freezeDays },
      });
      expect(r.status, String(freezeDays)).toBe(ok ? 201 : 400);
      if (!ok) expect(fieldsOf(r.json)).toEqual(['body.freezeDays']);
    }
    const badFlag = await api.call('post', base(), {
      body: { identifier: 'PSL:Flag', name: 'F', deactivateNow: 'yes' },
    });
    expect(fieldsOf(badFlag.json)).toEqual(['body.deactivateNow']);
  });

  it('when an update changes what the rule decides, then its revision moves by one; a rename or saving the same values leaves it', async () => {
    const created = await api.call('post', base(), {
      body: { identifier: 'PSL:Rev', name: 'Rev', thresholdDays: 60 },
    });
    const id = (created.json as Rule).id;
    const patch = async (body: Record<string, unknown>) =>
      (await api.call('patch', `${base()}/${id}`, { body })).json as Rule;
    expect((await patch({ name: 'Renamed' })).revision).toBe(1);
    expect((await patch({ thresholdDays: 60, freezeDays: 7, deactivateNow: false })).revision).toBe(1);
    expect((await patch({ thresholdDays: 90 })).revision).toBe(2);
    expect((await patch({ deactivateNow: true, name: 'Now' })).revision).toBe(3);
    expect((await patch({ freezeDays: 3 })).revision).toBe(4);
    expect((await patch({ freezeOnRefusal: false })).revision).toBe(5);
    expect((await patch({ enabled: false })).revision).toBe(6);
    expect((await patch({ name: 'Again', enabled: false })).revision).toBe(6);
    const stored = await api.models.ReclamationRule.findById(id).lean();
    expect(stored).toMatchObject({
      revision: 6,
      thresholdDays: 90,
      deactivateNow: true,
      freezeDays: 3,
      enabled: false,
    });
  });

  it('when many decision changes to one rule race, then every one of them moves the revision (none is lost)', async () => {
    const created = await api.call('post', base(), {
      body: { identifier: 'PSL:Race', name: 'Race', thresholdDays: 60 },
    });
    const id = (created.json as Rule).id;
    const answers = await Promise.all(
      [61, 62, 63, 64, 65].map((thresholdDays) =>
        api.call('patch', `${base()}/${id}`, { body: { thresholdDays } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await api.models.ReclamationRule.findById(id).lean())!.revision).toBe(6);
  });

  it('when a rule stored before revisions existed changes what it decides, then it is at revision 2 (it counted as 1)', async () => {
    const legacy = await api.models.ReclamationRule.collection.insertOne({
      profileId: new Types.ObjectId(profileId),
      identifier: 'PSL:Legacy',
      name: 'Legacy',
      thresholdDays: 60,
      graceDays: 30,
      action: 'deactivate_user',
      requiresApproval: true,
      enabled: true,
      autoGenerated: true,
    });
    const id = String(legacy.insertedId);
    const renamed = await api.call('patch', `${base()}/${id}`, { body: { name: 'Legacy renamed' } });
    expect((renamed.json as Rule).revision).toBeUndefined();
    const changed = await api.call('patch', `${base()}/${id}`, { body: { thresholdDays: 75 } });
    expect((changed.json as Rule).revision).toBe(2);
  });
});

describe('results', () => {
  it('when subscriptions of an old and the active download exist, then only the active ones are listed, one row per license, filtered, sorted and paged', async () => {
    const pid = new Types.ObjectId(profileId);
    const seen = new Date('2026-01-02T03:04:05.000Z');
    const license = (identifier: string, assignmentId: string | null = null) => ({
      identifier,
      assignmentId,
      firstSeenAt: seen,
      goneAt: null,
    });
    const user = (n: number, licenses: ReturnType<typeof license>[]) => {
      const summary = {
        userId: `005${n}`,
        username: `u${n}@x.example`,
        name: null,
        email: null,
        federationId: null,
        isActive: n !== 3,
        userType: 'Standard',
        profileName: null,
        apiOnly: false,
        lastLoginAt: null,
        userCreatedAt: seen,
        lastSeenAt: seen,
        licenses,
      };
      return {
        _id: summary.userId,
        username: summary.username,
        isActive: summary.isActive,
        lastLoginAt: null,
        userCreatedAt: seen,
        identifiers: licenses.map((l) => l.identifier),
        user: packUser(summary),
      };
    };
    await snapshotOf(api.models, pid, 'sync-old').users.insertMany([
      user(1, [license('UL:SFDC')]),
      user(2, [license('UL:SFDC')]),
    ]);
    await snapshotOf(api.models, pid, 'sync-new').users.insertMany([
      user(1, [license('UL:SFDC'), license('PSL:Console', '0PA1')]),
      user(2, [license('UL:AUL')]),
      user(3, [license('UL:SFDC'), license('FL:SupportUser')]),
    ]);
    const before = await api.call('get', `/api/v1/profiles/${profileId}/subscriptions`);
    expect((before.json as Page).total).toBe(0);
    await api.models.IntegrationProfile.updateOne({ _id: pid }, { $set: { activeSyncId: 'sync-new' } });
    const list = async (query: string) =>
      (await api.call('get', `/api/v1/profiles/${profileId}/subscriptions?${query}`, { token: 'viewer' }))
        .json as Page & { items: Record<string, unknown>[] };
    const all = await list('sort=-username');
    expect(all.total).toBe(5);
    expect(all.items.map((r) => `${String(r.userId)}|${String(r.identifier)}`)).toEqual([
      '0053|UL:SFDC',
      '0053|FL:SupportUser',
      '0052|UL:AUL',
      '0051|UL:SFDC',
      '0051|PSL:Console',
    ]);
    expect(all.items[4]).toMatchObject({
      id: 'sync-new|0051|PSL:Console',
      syncId: 'sync-new',
      username: 'u1@x.example',
      assignmentId: '0PA1',
      firstSeenAt: seen.toISOString(),
      goneAt: null,
    });
    const sfdc = await list('identifier=UL:SFDC&limit=1&offset=1');
    expect(sfdc.total).toBe(2);
    expect(sfdc.items.map((r) => r.userId)).toEqual(['0053']);
    const inactive = await list('isActive=false');
    expect(inactive.items.map((r) => r.identifier)).toEqual(['UL:SFDC', 'FL:SupportUser']);
    const byIdentifier = await list('sort=identifier&limit=2');
    expect(byIdentifier.items.map((r) => r.identifier)).toEqual(['FL:SupportUser', 'PSL:Console']);
    expect((await list('userId=0052')).items.map((r) => r.identifier)).toEqual(['UL:AUL']);
  });

  it('when the candidate list is asked for spared users, then it lists exactly them, each with why', async () => {
    const pid = new Types.ObjectId(profileId);
    const row = (n: number, status: string, reason: string | null) => ({
      _id: `${profileId}|0069${n}|UL:SPARE`,
      profileId: pid,
      userId: `0069${n}`,
      username: `spare${n}`,
      identifier: 'UL:SPARE',
      ruleId: new Types.ObjectId(),
      action: 'deactivate_user',
      justification: 'low_usage',
      evidence: { lastLoginAt: null, userCreatedAt: new Date(0), daysInactive: 90, thresholdDays: 60 },
      status,
      reason,
      lastComputedSyncId: 'sync-new',
    });
    await candidatesOf(api.models, pid).insertMany([
      row(1, 'cancelled', 'spared: api_only_user'),
      row(2, 'cancelled', 'excluded'),
      row(3, 'rejected', null),
    ]);
    const base = `/api/v1/profiles/${profileId}/removal-candidates?identifier=UL:SPARE`;
    const spared = (await api.call('get', `${base}&spared=true`, { token: 'viewer' })).json as Page;
    expect(spared.items.map((c) => [c.userId, c.reason])).toEqual([['00691', 'spared: api_only_user']]);
    const others = (await api.call('get', `${base}&spared=false`, { token: 'viewer' })).json as Page;
    expect(others.items.map((c) => c.userId).sort()).toEqual(['00692', '00693']);
    expect((await api.call('get', `${base}&spared=maybe`)).status).toBe(400);
  });

  it('when the summary is asked for, then it counts the candidates per license and status, and every role may read it', async () => {
    const pid = new Types.ObjectId(profileId);
    const stored = await candidatesOf(api.models, pid).find({}).lean();
    const summary = await api.call('get', `/api/v1/profiles/${profileId}/summary`, { token: 'viewer' });
    expect(summary.status).toBe(200);
    const body = summary.json as {
      candidates: { total: number; byIdentifier: Record<string, number>; byStatus: Record<string, number> };
    };
    expect(stored.length).toBeGreaterThan(0);
    expect(body.candidates.total).toBe(stored.length);
    expect(body.candidates.byIdentifier['UL:SPARE']).toBe(
      stored.filter((c) => c.identifier === 'UL:SPARE').length,
    );
    expect(body.candidates.byStatus.cancelled).toBe(stored.filter((c) => c.status === 'cancelled').length);
  });

  it('when candidates are decided, then pending ones move and any non-pending one refuses the whole batch', async () => {
    const pid = new Types.ObjectId(profileId);
    // Approvals bind to a rule as it stands, so the candidates' rule must exist.
    const rule = await api.models.ReclamationRule.create({
      profileId,
      identifier: 'UL:DECIDE',
      name: 'Decide',
    });
    const ruleId = rule._id;
    const candidate = (n: number, status: string) => ({
      _id: `${profileId}|005${n}|UL:SFDC`,
      profileId: pid,
      userId: `005${n}`,
      username: `u${n}`,
      identifier: 'UL:SFDC',
      ruleId,
      action: 'deactivate_user',
      justification: 'inactive_user',
      evidence: { lastLoginAt: null, userCreatedAt: new Date(0), daysInactive: 100, thresholdDays: 60 },
      status,
      lastComputedSyncId: 'sync-new',
    });
    await candidatesOf(api.models, pid).insertMany([
      candidate(1, 'pending'),
      candidate(2, 'pending'),
      candidate(3, 'reclaimed'),
    ]);
    const base = `/api/v1/profiles/${profileId}/removal-candidates`;
    const mixed = await api.call('post', `${base}/decisions`, {
      body: { decision: 'approve', ids: [`${profileId}|0051|UL:SFDC`, `${profileId}|0053|UL:SFDC`] },
    });
    expect(mixed.status).toBe(409);
    expect(mixed.json).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await candidatesOf(api.models, pid).countDocuments({ profileId: pid, status: 'pending' })).toBe(2);
    expect(
      (
        await api.call('post', `${base}/${encodeURIComponent(`${profileId}|0051|UL:SFDC`)}/approve`, {
          token: 'operator',
        })
      ).status,
    ).toBe(403);
    const one = await api.call('post', `${base}/${encodeURIComponent(`${profileId}|0051|UL:SFDC`)}/approve`);
    expect(one.json).toMatchObject({ status: 'ready', decided: [`${profileId}|0051|UL:SFDC`] });
    const reject = await api.call('post', `${base}/decisions`, {
      body: { decision: 'reject', ids: [`${profileId}|0052|UL:SFDC`] },
    });
    expect(reject.status).toBe(200);
    const again = await api.call('post', `${base}/decisions`, {
      body: { decision: 'approve', ids: [`${profileId}|0052|UL:SFDC`] },
    });
    expect(again.status).toBe(409);
    const ready = await api.call('get', `${base}?status=ready`);
    expect((ready.json as Page).total).toBe(1);
    const unknown = await api.call('post', `${base}/decisions`, {
      body: { decision: 'approve', ids: ['nope'] },
    });
    expect(unknown.status).toBe(404);
  });

  it('when an unrecognized identifier is mapped or ignored, then its status says so', async () => {
    const u = await api.models.UnrecognizedIdentifier.create({
      profileId,
      identifier: 'PKG:acme',
      label: 'Acme',
    });
    const base = `/api/v1/profiles/${profileId}/unrecognized-identifiers`;
    const mapped = await api.call('post', `${base}/${String(u._id)}/map`, { body: { product: 'Acme CPQ' } });
    expect(mapped.json).toMatchObject({
      status: 'mapped',
      mappedProduct: 'Acme CPQ',
      decidedBy: 'admin-user',
    });
    const noProduct = await api.call('post', `${base}/${String(u._id)}/map`, { body: {} });
    expect(fieldsOf(noProduct.json)).toEqual(['body.product']);
    const ignored = await api.call('post', `${base}/${String(u._id)}/ignore`);
    expect(ignored.json).toMatchObject({ status: 'ignored', mappedProduct: null });
  });

  it('when runs, models and consumption are listed, then totals and filters apply', async () => {
    const pid = new Types.ObjectId(profileId);
    await api.models.JobRun.insertMany(
      ['validate', 'downloadSubscriptions', 'reclaim'].map((jobName, i) => ({
        _id: `run-0001|${jobName}`,
        runId: 'run-0001',
        profileId: pid,
        profileName: 'Results',
        jobName,
        trigger: 'manual',
        status: i === 0 ? 'failed' : 'succeeded',
        queuedAt: new Date(Date.now() + i),
      })),
    );
    const runsRes = await api.call('get', `/api/v1/profiles/${profileId}/runs?status=succeeded&limit=1`);
    expect(runsRes.json).toMatchObject({ total: 2, limit: 1 });
    expect((runsRes.json as Page).items).toHaveLength(1);
    await api.models.SoftwareModel.create({
      profileId,
      identifier: 'UL:SFDC',
      product: 'Sales Cloud',
      licenseType: 'user',
      label: 'Salesforce',
    });
    const models = await api.call('get', `/api/v1/profiles/${profileId}/software-models?licenseType=user`);
    expect((models.json as Page).total).toBe(1);
    const badSort = await api.call('get', `/api/v1/profiles/${profileId}/software-models?sort=password`);
    expect(fieldsOf(badSort.json)).toEqual(['query.sort']);
    const consumption = await api.call('get', `/api/v1/profiles/${profileId}/consumption`);
    expect(consumption.json).toMatchObject({ total: 0, items: [] });
  });
});
