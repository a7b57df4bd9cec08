import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasInput, type ApiHarness, fakeStoredTokens, startApi } from './apiHarness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string; message: string }[] };
const fieldsOf = (json: unknown) => ((json as Problem).errors ?? []).map((e) => e.field);
const SECRET = 'very-secret-client-value-5f3a9c';

describe('aliases', () => {
  it('when an alias is created with a secret, then the response says clientSecretSet and the store holds it sealed', async () => {
    const res = await api.call('post', '/api/v1/aliases', {
      body: aliasInput('Parent', { clientSecret: SECRET }),
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: 'Parent',
      clientSecretSet: true,
      authStatus: 'not_authorized',
      parentId: null,
    });
    expect(res.text).not.toContain(SECRET);
    const stored = await api.models.ConnectionAlias.findById((res.json as { id: string }).id).lean();
    expect(JSON.stringify(stored)).not.toContain(SECRET);
    expect(stored?.clientSecret?.keyId).toBe('k1');
  });

  it.each([
    ['plain http to a remote host', { instanceUrl: 'http://example.com' }, 'body.instanceUrl'],
    ['a host off Salesforce', { instanceUrl: 'https://example.com' }, 'body.instanceUrl'],
    ['a path after the host', { instanceUrl: 'https://acme.my.salesforce.com/x' }, 'body.instanceUrl'],
    ['not a URL', { instanceUrl: 'not a url' }, 'body.instanceUrl'],
    ['a URL with credentials', { instanceUrl: 'https://u:p@example.com' }, 'body.instanceUrl'],
    ['an unknown grant type', { grantType: 'password' }, 'body.grantType'],
    ['an unknown field', { clientSecretPlain: 'x' }, 'body.clientSecretPlain'],
    ['a non-https redirect URL', { redirectUrl: 'ftp://example.com/cb' }, 'body.redirectUrl'],
    ['a bad parent id', { parentId: 'x' }, 'body.parentId'],
  ])('when an alias is created with %s, then 400 names the field', async (_label, extra, field) => {
    const res = await api.call('post', '/api/v1/aliases', {
      body: aliasInput(`bad-${field}-${Math.random()}`, extra),
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.json)).toContain(field);
  });

  it('when plain http to loopback is used, then it is accepted only while SF_INSECURE_HTTP_HOSTS names the host', async () => {
    const ok = await api.call('post', '/api/v1/aliases', {
      body: aliasInput('Loopback', { instanceUrl: 'http://127.0.0.1:9' }),
    });
    expect(ok.status).toBe(201);
    // Origin only, on a listed host too: a path could point one host's calls anywhere under it.
    const withPath = await api.call('post', '/api/v1/aliases', {
      body: aliasInput('Loopback path', { instanceUrl: 'http://127.0.0.1:9/org/x' }),
    });
    expect(withPath.status).toBe(400);
    expect(fieldsOf(withPath.json)).toEqual(['body.instanceUrl']);
    const strict = await import('./apiHarness.js').then((m) =>
      m.startApi({}, { SF_INSECURE_HTTP_HOSTS: 'simulator:8090' }),
    );
    try {
      const refused = await strict.call('post', '/api/v1/aliases', {
        body: aliasInput('Loopback', { instanceUrl: 'http://127.0.0.1:9' }),
      });
      expect(refused.status).toBe(400);
      expect(fieldsOf(refused.json)).toEqual(['body.instanceUrl']);
    } finally {
      await strict.close();
    }
  });

  it('when a duplicate name or a grandchild is created, then 409 / 422 and nothing is written', async () => {
    const parent = await api.call('post', '/api/v1/aliases', { body: aliasInput('P2') });
    const parentId = (parent.json as { id: string }).id;
    const before = await api.models.ConnectionAlias.countDocuments();
    const dup = await api.call('post', '/api/v1/aliases', { body: aliasInput('p2') });
    expect(dup.status).toBe(409);
    expect(fieldsOf(dup.json)).toEqual(['body.name']);
    const child = await api.call('post', '/api/v1/aliases', { body: aliasInput('P2 child', { parentId }) });
    expect(child.status).toBe(201);
    const grandchild = await api.call('post', '/api/v1/aliases', {
      body: aliasInput('P2 grandchild', { parentId: (child.json as { id: string }).id }),
    });
    expect(grandchild.status).toBe(422);
    expect(fieldsOf(grandchild.json)).toEqual(['body.parentId']);
    expect(await api.models.ConnectionAlias.countDocuments()).toBe(before + 1);
    const children = await api.call('get', `/api/v1/aliases?parentId=${parentId}`, { token: 'viewer' });
    expect((children.json as { total: number }).total).toBe(1);
  });

  it('when the connection of an alias changes, then its secret and tokens are dropped and configChangedAt moves', async () => {
    const created = await api.call('post', '/api/v1/aliases', { body: aliasInput('Changing') });
    const a = created.json as { id: string; configChangedAt: string };
    await api.models.ConnectionAlias.updateOne(
      { _id: a.id },
      {
        $set: {
          authStatus: 'authorized',
          tokens: fakeStoredTokens(),
        },
      },
    );
    const renamed = await api.call('patch', `/api/v1/aliases/${a.id}`, { body: { name: 'Changing 2' } });
    expect(renamed.json).toMatchObject({ authStatus: 'authorized', configChangedAt: a.configChangedAt });
    const newSecret = await api.call('patch', `/api/v1/aliases/${a.id}`, {
      body: { clientSecret: 'another-secret-xyz' },
    });
    expect(newSecret.json).toMatchObject({ authStatus: 'authorized', clientSecretSet: true });
    expect((newSecret.json as { configChangedAt: string }).configChangedAt > a.configChangedAt).toBe(true);
    const changed = await api.call('patch', `/api/v1/aliases/${a.id}`, { body: { clientId: 'another-app' } });
    expect(changed.json).toMatchObject({
      authStatus: 'not_authorized',
      authorizedOrg: null,
      clientSecretSet: false,
    });
    const stored = await api.models.ConnectionAlias.findById(a.id).lean();
    expect(stored?.clientSecret ?? null).toBeNull();
    // Re-entered with the change, the new secret is kept.
    const reentered = await api.call('patch', `/api/v1/aliases/${a.id}`, {
      body: { instanceUrl: 'https://other.my.salesforce.com', clientSecret: 'a-new-secret-for-other' },
    });
    expect(reentered.json).toMatchObject({
      clientSecretSet: true,
      instanceUrl: 'https://other.my.salesforce.com',
    });
  });

  it('when the connection of an alias held by a published profile changes, then 409 and the alias is unchanged', async () => {
    const created = await api.call('post', '/api/v1/aliases', { body: aliasInput('Live') });
    const id = (created.json as { id: string }).id;
    const profile = await api.call('post', '/api/v1/profiles', {
      body: { displayName: 'Live profile', aliasId: id },
    });
    await api.models.IntegrationProfile.updateOne(
      { _id: (profile.json as { id: string }).id },
      { $set: { status: 'published' } },
    );
    const res = await api.call('patch', `/api/v1/aliases/${id}`, {
      body: { instanceUrl: 'https://other.my.salesforce.com' },
    });
    expect(res.status).toBe(409);
    expect((res.json as { detail: string }).detail).toContain('Live profile');
    expect((await api.models.ConnectionAlias.findById(id).lean())?.instanceUrl).toBe(
      'https://example.my.salesforce.com',
    );
  });

  it('when an alias held by a profile is deleted, then 409 names the profile; a free alias is deleted', async () => {
    const created = await api.call('post', '/api/v1/aliases', { body: aliasInput('Held') });
    const id = (created.json as { id: string }).id;
    await api.call('post', '/api/v1/profiles', { body: { displayName: 'Holder of Held', aliasId: id } });
    const refused = await api.call('delete', `/api/v1/aliases/${id}`);
    expect(refused.status).toBe(409);
    expect((refused.json as { detail: string }).detail).toContain('Holder of Held');
    const free = await api.call('post', '/api/v1/aliases', { body: aliasInput('Free') });
    expect((await api.call('delete', `/api/v1/aliases/${(free.json as { id: string }).id}`)).status).toBe(
      204,
    );
  });
});
