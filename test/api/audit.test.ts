/**
 * Reading the audit trail: paging (offset and keyset), filters, the CSV export (parsed back with a
 * real CSV parser), and that nothing — no route, no model call — can change or remove an entry.
 */
import { parse } from 'csv-parse/sync';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, type AuditInput } from '../../shared/db/auditLog.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { userId } from './reclaimFixtures.js';

let api: ApiHarness;
let profileId = '';
let pid: Types.ObjectId;
let otherProfileId = '';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const ruleId = new Types.ObjectId();

/** Seven entries; two share a timestamp (the id decides their order), one belongs to another profile. */
function entries(): AuditInput[] {
  const rule = {
    id: ruleId,
    identifier: 'UL:SFDC',
    revision: 2,
    action: 'deactivate_user',
    thresholdDays: 60,
  };
  return [
    {
      at: new Date(T0 + 5_000),
      profileId: pid,
      action: 'deactivate',
      actor: 'system:reclaim',
      outcome: 'success',
      runId: 'run_aaaaaaaaaaaa',
      userId: userId(1),
      username: 'u1@example.com',
      candidateId: `${profileId}|${userId(1)}|UL:SFDC`,
      rule,
      request: {
        method: 'PATCH',
        path: '/services/data/v62.0/composite/sobjects',
        sobject: 'User',
        change: 'IsActive=false',
        recordId: userId(1),
      },
      response: { success: true, errors: [] },
    },
    {
      at: new Date(T0 + 1_000),
      profileId: pid,
      action: 'approve',
      actor: 'integrator-user',
      outcome: 'pending->ready',
      userId: userId(1),
      username: 'u1@example.com',
      candidateId: `${profileId}|${userId(1)}|UL:SFDC`,
      rule,
      evidence: { daysInactive: 120, thresholdDays: 60 },
    },
    {
      at: new Date(T0 + 1_000),
      profileId: pid,
      action: 'approve',
      actor: 'integrator-user',
      outcome: 'pending->ready',
      userId: userId(2),
      username: '=HYPERLINK("http://evil.example","x")',
      candidateId: `${profileId}|${userId(2)}|UL:SFDC`,
      rule,
    },
    {
      at: new Date(T0 + 6_000),
      profileId: pid,
      action: 'deactivate',
      actor: 'system:reclaim',
      outcome: 'refused',
      runId: 'run_aaaaaaaaaaaa',
      userId: userId(2),
      username: '+cmd|calc',
      reason: 'default owner, "lead queue"\nsecond line',
      rule,
      request: {
        method: 'PATCH',
        path: '/services/data/v62.0/composite/sobjects',
        sobject: 'User',
        change: 'IsActive=false',
        recordId: userId(2),
      },
      response: {
        success: false,
        errors: [
          { statusCode: 'CANNOT_DEACTIVATE', message: 'default, owner' },
          { statusCode: 'X', message: 'y' },
        ],
      },
    },
    {
      at: new Date(T0 + 7_000),
      profileId: pid,
      action: 'freeze',
      actor: 'system:reclaim',
      outcome: 'success',
      runId: 'run_bbbbbbbbbbbb',
      userId: userId(2),
      username: '-2+3',
      reason: '@SUM(A1)',
    },
    {
      at: new Date(T0 + 2_000),
      profileId: pid,
      action: 'stop',
      actor: 'operator-user',
      outcome: 'stopped',
      reason: 'incident',
    },
    {
      at: new Date(T0 + 3_000),
      profileId: new Types.ObjectId(otherProfileId),
      action: 'stop',
      actor: 'x',
      outcome: 'stopped',
    },
  ];
}

/** The profile's entries in the order the api must give them: `at`, then id. */
let ordered: { id: string; at: string; action: string }[] = [];

beforeAll(async () => {
  api = await startApi();
  const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Audited' } });
  profileId = (p.json as { id: string }).id;
  pid = new Types.ObjectId(profileId);
  const o = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Other' } });
  otherProfileId = (o.json as { id: string }).id;
  await appendAudit(api.models, entries());
  const stored = await api.models.AuditEntry.find({ profileId: pid }).lean();
  ordered = stored
    .map((e) => ({ id: String(e._id), at: e.at.toISOString(), action: e.action }))
    .sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
});
afterAll(async () => {
  await api?.close();
});

type Page = {
  items: { id: string; action: string }[];
  total: number;
  limit: number;
  offset: number;
  next: string | null;
};
type Problem = { code: string; errors?: { field: string }[] };
const path = () => `/api/v1/profiles/${profileId}/audit`;

describe('the audit list', () => {
  it('when pages are read by keyset, then they follow `at` then id without a gap or a repeat, and the last one has no next', async () => {
    expect(ordered).toHaveLength(6);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res = await api.call('get', `${path()}?limit=4${after ? `&after=${after}` : ''}`, {
        token: 'viewer',
      });
      expect(res.status).toBe(200);
      const page = res.json as Page;
      expect(page.total).toBe(6);
      seen.push(...page.items.map((i) => i.id));
      after = page.next;
      pages++;
    } while (after && pages < 5);
    expect(pages).toBe(2);
    expect(seen).toEqual(ordered.map((o) => o.id));
  });

  it('when pages are read by offset, then they are the same order', async () => {
    const first = (await api.call('get', `${path()}?limit=2`)).json as Page;
    const second = (await api.call('get', `${path()}?limit=2&offset=2`)).json as Page;
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(ordered.slice(0, 4).map((o) => o.id));
    expect(first.next).toBe(ordered[1]!.id);
  });

  it('when filtered by user (15-character form), run, action or candidate, then only matching entries come', async () => {
    const ids = async (query: string) =>
      ((await api.call('get', `${path()}?${query}`)).json as Page).items.map((i) => i.action);
    expect(await ids(`userId=${userId(2).slice(0, 15)}`)).toEqual(['approve', 'deactivate', 'freeze']);
    expect(await ids('runId=run_aaaaaaaaaaaa')).toEqual(['deactivate', 'deactivate']);
    expect(await ids('action=stop')).toEqual(['stop']);
    expect(await ids(`candidateId=${encodeURIComponent(`${profileId}|${userId(1)}|UL:SFDC`)}`)).toEqual([
      'approve',
      'deactivate',
    ]);
    expect(await ids('action=approve&userId=' + userId(1))).toEqual(['approve']);
  });

  it('when the query is bad (limit 501, unknown action, after of another profile, after with offset, a broken user id), then 400 names the field', async () => {
    const other = await api.models.AuditEntry.findOne({
      profileId: new Types.ObjectId(otherProfileId),
    }).lean();
    const cases: [string, string][] = [
      ['limit=501', 'query.limit'],
      ['action=delete', 'query.action'],
      [`after=${String(other!._id)}`, 'query.after'],
      [`after=${ordered[0]!.id}&offset=1`, 'query.offset'],
      ['userId=005000000000001AAB', 'query.userId'],
      ['sort=-at', 'query.sort'],
    ];
    for (const [query, field] of cases) {
      const res = await api.call('get', `${path()}?${query}`);
      expect(res.status, query).toBe(400);
      expect(
        (res.json as Problem).errors!.map((e) => e.field),
        query,
      ).toEqual([field]);
    }
  });
});

describe('the audit CSV', () => {
  it('when exported, then it is RFC 4180 CSV with a header row, every entry in order, rule/request/response flattened, and formula cells neutralized', async () => {
    const res = await api.call('get', `${path()}.csv`, { token: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`audit-${profileId}.csv`);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(ordered.map((o) => o.id));
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      'at',
      'action',
      'outcome',
      'actor',
      'runId',
      'userId',
      'username',
      'candidateId',
      'reason',
      'ruleId',
      'ruleIdentifier',
      'ruleRevision',
      'ruleAction',
      'ruleThresholdDays',
      'evidence',
      'requestMethod',
      'requestPath',
      'requestSobject',
      'requestChange',
      'requestRecordId',
      'responseSuccess',
      'responseErrors',
      'response',
    ]);
    const byAction = (action: string, user: string) =>
      rows.find((r) => r.action === action && r.userId === user)!;
    const refused = byAction('deactivate', userId(2));
    expect(refused).toMatchObject({
      at: new Date(T0 + 6_000).toISOString(),
      outcome: 'refused',
      username: "'+cmd|calc",
      reason: 'default owner, "lead queue"\nsecond line',
      ruleId: String(ruleId),
      ruleIdentifier: 'UL:SFDC',
      ruleRevision: '2',
      ruleAction: 'deactivate_user',
      ruleThresholdDays: '60',
      requestMethod: 'PATCH',
      requestSobject: 'User',
      requestChange: 'IsActive=false',
      requestRecordId: userId(2),
      responseSuccess: 'false',
      responseErrors: 'CANNOT_DEACTIVATE: default, owner; X: y',
    });
    expect(JSON.parse(refused.response!)).toMatchObject({ success: false });
    expect(byAction('approve', userId(2)).username).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(byAction('freeze', userId(2))).toMatchObject({ username: "'-2+3", reason: "'@SUM(A1)" });
    expect(JSON.parse(byAction('approve', userId(1)).evidence!)).toEqual({
      daysInactive: 120,
      thresholdDays: 60,
    });
    // No cell of the raw text starts a formula.
    for (const row of parse(res.text) as string[][])
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('when exported with ?format=csv and filters, then the same CSV of only the matching entries; paging parameters are refused', async () => {
    const res = await api.call('get', `${path()}?format=csv&runId=run_aaaaaaaaaaaa`);
    expect(res.status).toBe(200);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.userId)).toEqual([userId(1), userId(2)]);
    const paged = await api.call('get', `${path()}?format=csv&limit=10`);
    expect(paged.status).toBe(400);
    expect((paged.json as Problem).errors!.map((e) => e.field)).toEqual(['query.limit']);
    const unknownProfile = await api.call('get', `/api/v1/profiles/${'c'.repeat(24)}/audit.csv`);
    expect(unknownProfile.status).toBe(404);
    expect(unknownProfile.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when many more entries match than one read or one write holds, then every one of them is streamed once', async () => {
    const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Long trail' } });
    const id = (p.json as { id: string }).id;
    const many: AuditInput[] = Array.from({ length: 1_300 }, (_, i) => ({
      at: new Date(T0 + i),
      profileId: new Types.ObjectId(id),
      action: 'skip',
      actor: 'system:reclaim',
      outcome: 'skipped',
      userId: userId(10_000 + i),
      reason: `logged in again ${'x'.repeat(60)}`,
    }));
    await appendAudit(api.models, many);
    const res = await api.call('get', `/api/v1/profiles/${id}/audit.csv`);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1_300);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(1_300);
    expect(rows.at(-1)!.userId).toBe(userId(11_299));
  });
});

describe('append-only', () => {
  const snapshot = async () => JSON.stringify(await api.models.AuditEntry.find({}).sort({ _id: 1 }).lean());

  it('when any route is asked to put, patch, delete or post on the audit paths, then 404 or 405 and every entry is unchanged', async () => {
    const before = await snapshot();
    const one = ordered[0]!.id;
    const paths = [path(), `${path()}.csv`, `${path()}/${one}`, `${path()}?after=${one}`];
    for (const p of paths) {
      for (const method of ['put', 'patch', 'delete', 'post']) {
        const res = await api.call(method, p, { body: { outcome: 'rewritten' } });
        expect([404, 405], `${method} ${p}`).toContain(res.status);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('when code updates, replaces or deletes entries through the model, then AUDIT_APPEND_ONLY is thrown and every entry is unchanged', async () => {
    const before = await snapshot();
    const id = ordered[0]!.id;
    const attempts: [string, () => Promise<unknown>][] = [
      ['updateOne', () => api.models.AuditEntry.updateOne({ _id: id }, { $set: { outcome: 'x' } })],
      ['updateMany', () => api.models.AuditEntry.updateMany({}, { $set: { outcome: 'x' } })],
      [
        'findOneAndUpdate',
        () => api.models.AuditEntry.findOneAndUpdate({ _id: id }, { $set: { outcome: 'x' } }),
      ],
      ['replaceOne', () => api.models.AuditEntry.replaceOne({ _id: id }, { outcome: 'x' })],
      ['deleteOne', () => api.models.AuditEntry.deleteOne({ _id: id })],
      ['deleteMany', () => api.models.AuditEntry.deleteMany({})],
      ['findOneAndDelete', () => api.models.AuditEntry.findOneAndDelete({ _id: id })],
      [
        'save',
        async () => {
          const doc = await api.models.AuditEntry.findById(id);
          doc!.outcome = 'x';
          return doc!.save();
        },
      ],
    ];
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toMatchObject({ code: 'AUDIT_APPEND_ONLY' });
    }
    expect(await snapshot()).toBe(before);
  });

  it('when one entry of a batch is invalid, then AUDIT_ENTRY_INVALID names it and none of the batch is written', async () => {
    const before = await snapshot();
    const good = entries()[0]!;
    const batch: AuditInput[] = [
      { ...good, candidateId: 'batch-good-1' },
      { ...good, candidateId: 'batch-bad', actor: '' },
      { ...good, candidateId: 'batch-good-2' },
    ];
    await expect(appendAudit(api.models, batch)).rejects.toMatchObject({
      code: 'AUDIT_ENTRY_INVALID',
      context: { field: 'actor', candidateId: 'batch-bad' },
    });
    expect(await snapshot()).toBe(before);
    await appendAudit(api.models, [batch[0]!, batch[2]!]);
    const stored = await api.models.AuditEntry.find({ candidateId: /^batch-good-/ }).lean();
    expect(stored.map((e) => e.candidateId).sort()).toEqual(['batch-good-1', 'batch-good-2']);
    expect(stored[0]).toMatchObject({ profileId: pid, rule: { id: ruleId }, evidence: null, reason: null });
  });
});
