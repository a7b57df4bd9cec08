import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasInput, startApi, type ApiHarness } from './apiHarness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string; message: string }[]; detail: string };
const fieldsOf = (json: unknown) => ((json as Problem).errors ?? []).map((e) => e.field);

describe('profiles', () => {
  it('when a profile is created, then it starts as a draft with the default subflows and daily schedule', async () => {
    const res = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Sales Org' } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      displayName: 'Sales Org',
      status: 'draft',
      profileType: 'salesforce_crm',
      subflows: { downloadSubscriptions: true, reclaimSubscriptions: true, downloadConsumption: true },
      schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      createdBy: 'admin-user',
    });
    const id = (res.json as { id: string }).id;
    const read = await api.call('get', `/api/v1/profiles/${id}`, { token: 'viewer' });
    expect(read.status).toBe(200);
  });

  it('when a second profile takes the same name in another case, then 409 names the field and nothing is written', async () => {
    await api.call('post', '/api/v1/profiles', { body: { displayName: 'Dup Name' } });
    const before = await api.models.IntegrationProfile.countDocuments();
    const res = await api.call('post', '/api/v1/profiles', { body: { displayName: 'DUP name' } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.json).toMatchObject({ code: 'DUPLICATE_NAME' });
    expect(fieldsOf(res.json)).toEqual(['body.displayName']);
    expect(await api.models.IntegrationProfile.countDocuments()).toBe(before);
  });

  it.each([
    ['an unknown field', { displayName: 'x1', colour: 'red' }, 'body.colour'],
    ['a wrong type', { displayName: 42 }, 'body.displayName'],
    ['a bad cron', { displayName: 'x2', schedule: { cron: '61 * * * *' } }, 'body.schedule.cron'],
    ['a four-field cron', { displayName: 'x3', schedule: { cron: '* * * *' } }, 'body.schedule.cron'],
    [
      'an unknown time zone',
      { displayName: 'x4', schedule: { timezone: 'Mars/Olympus' } },
      'body.schedule.timezone',
    ],
    [
      'download subscriptions turned off',
      { displayName: 'x5', subflows: { downloadSubscriptions: false } },
      'body.subflows.downloadSubscriptions',
    ],
    ['a bad alias id', { displayName: 'x6', aliasId: 'nope' }, 'body.aliasId'],
  ])('when a profile is created with %s, then 400 names %s', async (_label, body, field) => {
    const res = await api.call('post', '/api/v1/profiles', { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(fieldsOf(res.json)).toContain(field);
  });

  it('when downloadSubscriptions is turned off, then the message says it is always on', async () => {
    const res = await api.call('post', '/api/v1/profiles', {
      body: { displayName: 'x7', subflows: { downloadSubscriptions: false } },
    });
    expect((res.json as Problem).errors?.[0]?.message).toMatch(/always on/);
  });

  it('when the body is malformed JSON or too large, then 400 MALFORMED_JSON and 413', async () => {
    const bad = await api.call('post', '/api/v1/profiles', { rawBody: '{"displayName": ' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'MALFORMED_JSON' });
    const huge = await api.call('post', '/api/v1/profiles', { body: { displayName: 'x'.repeat(100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('when the body is not sent as JSON, then 415 names the body and nothing is written', async () => {
    const before = await api.models.IntegrationProfile.countDocuments();
    const res = await api.call('post', '/api/v1/profiles', {
      rawBody: 'displayName=Form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(fieldsOf(res.json)).toEqual(['body']);
    expect(await api.models.IntegrationProfile.countDocuments()).toBe(before);
  });

  it('when ids are malformed or unknown, then 400 names params.id and 404 says not found', async () => {
    const bad = await api.call('get', '/api/v1/profiles/zzz');
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.json)).toEqual(['params.id']);
    const missing = await api.call('get', '/api/v1/profiles/aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(missing.status).toBe(404);
  });

  it('when profiles are listed with a status filter and page size, then the total counts all matches', async () => {
    for (const n of ['L1', 'L2', 'L3'])
      await api.call('post', '/api/v1/profiles', { body: { displayName: `list ${n}` } });
    const res = await api.call('get', '/api/v1/profiles?status=draft&limit=2&sort=-displayName');
    expect(res.status).toBe(200);
    const page = res.json as { items: unknown[]; total: number; limit: number };
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThanOrEqual(3);
    const tooMany = await api.call('get', '/api/v1/profiles?limit=501');
    expect(fieldsOf(tooMany.json)).toEqual(['query.limit']);
  });

  it('when two profiles want the same alias, then the second gets 409 naming the holder and keeps no claim', async () => {
    const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput('shared-alias') });
    const aliasId = (alias.json as { id: string }).id;
    const first = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Holder', aliasId } });
    expect(first.status).toBe(201);
    const second = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Second', aliasId } });
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ code: 'ALIAS_IN_USE', holderProfileName: 'Holder' });
    expect(await api.models.IntegrationProfile.countDocuments({ displayNameKey: 'second' })).toBe(0);
    const child = await api.call('post', '/api/v1/aliases', {
      body: aliasInput('child-alias', { parentId: aliasId }),
    });
    expect(child.status).toBe(201);
    const withChild = await api.call('post', '/api/v1/profiles', {
      body: { displayName: 'Second', aliasId: (child.json as { id: string }).id },
    });
    expect(withChild.status).toBe(201);
  });

  it('when three profiles claim one alias at the same moment, then exactly one wins (ten rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput(`raced-alias-${round}`) });
      const aliasId = (alias.json as { id: string }).id;
      const results = await Promise.all(
        ['A', 'B', 'C'].map((n) =>
          api.call('post', '/api/v1/profiles', { body: { displayName: `Racer ${round} ${n}`, aliasId } }),
        ),
      );
      const answers = results.map((r) => `${r.status} ${r.text.slice(0, 200)}`);
      expect(results.map((r) => r.status).sort(), answers.join('\n')).toEqual([201, 409, 409]);
      expect(await api.models.IntegrationProfile.countDocuments({ aliasId })).toBe(1);
    }
  });

  it('when a profile with a taken name would claim an alias, then the alias stays free', async () => {
    const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput('free-alias') });
    const aliasId = (alias.json as { id: string }).id;
    await api.call('post', '/api/v1/profiles', { body: { displayName: 'Taken' } });
    const res = await api.call('post', '/api/v1/profiles', { body: { displayName: 'taken', aliasId } });
    expect(res.status).toBe(409);
    const stored = await api.models.ConnectionAlias.findById(aliasId).lean();
    expect(stored?.profileId).toBeNull();
  });

  it('when subflows change, then configChangedAt moves; when only the name changes, it stays', async () => {
    const created = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Changer' } });
    const p = created.json as { id: string; configChangedAt: string };
    const renamed = await api.call('patch', `/api/v1/profiles/${p.id}`, {
      body: { displayName: 'Changer 2' },
    });
    expect((renamed.json as { configChangedAt: string }).configChangedAt).toBe(p.configChangedAt);
    const changed = await api.call('patch', `/api/v1/profiles/${p.id}`, {
      body: { subflows: { reclaimSubscriptions: false } },
    });
    expect(changed.status).toBe(200);
    expect((changed.json as { configChangedAt: string }).configChangedAt > p.configChangedAt).toBe(true);
    const off = await api.call('patch', `/api/v1/profiles/${p.id}`, {
      body: { subflows: { downloadSubscriptions: false } },
    });
    expect(off.status).toBe(400);
  });

  it('when a published profile is deleted without force, then 409; an integrator cannot force; a draft goes and frees its alias', async () => {
    const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput('del-alias') });
    const aliasId = (alias.json as { id: string }).id;
    const created = await api.call('post', '/api/v1/profiles', {
      body: { displayName: 'Deletable', aliasId },
    });
    const id = (created.json as { id: string }).id;
    await api.models.IntegrationProfile.updateOne({ _id: id }, { $set: { status: 'published' } });
    expect((await api.call('delete', `/api/v1/profiles/${id}`)).status).toBe(409);
    expect(
      (await api.call('delete', `/api/v1/profiles/${id}?force=true`, { token: 'integrator' })).status,
    ).toBe(403);
    await api.models.IntegrationProfile.updateOne({ _id: id }, { $set: { status: 'draft' } });
    expect((await api.call('delete', `/api/v1/profiles/${id}`, { token: 'integrator' })).status).toBe(204);
    expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.profileId).toBeNull();
  });
});
