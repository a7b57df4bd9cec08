/**
 * OAuth against the simulator over HTTP: Authorization Code by following the simulator's redirect
 * to our callback, Client Credentials without a browser, state replay / tampering / expiry refused,
 * and no secret or token in any response body or log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app.js';
import { sha256Hex } from '../../api/http/auth.js';
import { loadConfig } from '../../shared/config.js';
import { createSecretBox } from '../../shared/crypto/secretBox.js';
import { ROLE_TOKENS, startApi, type ApiHarness, type CallOptions, type CallResult } from './apiHarness.js';

let api: ApiHarness;
let sim: RunningSimulator;
const bodies: string[] = [];
/** Tokens of aliases whose tokens a later step dropped. */
const droppedTokens: string[] = [];

async function call(method: string, path: string, options?: CallOptions): Promise<CallResult> {
  const res = await api.call(method, path, options);
  bodies.push(res.text);
  return res;
}

async function get(url: string, cookie?: string): Promise<Response & { bodyText: string }> {
  const res = await fetch(url, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
  const bodyText = await res.text();
  bodies.push(bodyText);
  return Object.assign(res, { bodyText });
}

beforeAll(async () => {
  [api, sim] = await Promise.all([
    startApi(),
    startSimulator({ orgs: [{ users: 10 }, { users: 10 }], seed: 3, quiet: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([api?.close(), sim?.stop()]);
});

async function codeAlias(name: string) {
  const org = sim.orgs[0]!;
  const res = await call('post', '/api/v1/aliases', {
    body: {
      name,
      instanceUrl: org.instanceUrl,
      grantType: 'authorization_code',
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      redirectUrl: `${api.url}/oauth/callback`,
    },
  });
  expect(res.status).toBe(201);
  return (res.json as { id: string }).id;
}

interface StartedFlow {
  /** Our callback URL with code and state, where the simulator sends the browser. */
  location: string;
  /** The browser-binding cookie the start set, as the browser sends it back. */
  cookie: string;
  setCookie: string;
  authorizeUrl: URL;
}

/** Starts the flow and lets the simulator "log in": its redirect names our callback with code and state. */
async function startFlow(aliasId: string): Promise<StartedFlow> {
  const start = await call('post', `/api/v1/aliases/${aliasId}/oauth/start`, { token: 'integrator' });
  expect(start.status).toBe(200);
  const setCookie = start.headers.get('set-cookie') ?? '';
  const authorizeUrl = new URL((start.json as { authorizeUrl: string }).authorizeUrl);
  const authorize = await get(authorizeUrl.toString());
  expect(authorize.status).toBe(302);
  const location = authorize.headers.get('location')!;
  expect(location.startsWith(`${api.url}/oauth/callback?`)).toBe(true);
  return { location, cookie: setCookie.split(';')[0] ?? '', setCookie, authorizeUrl };
}

async function authorizeInSimulator(aliasId: string): Promise<string> {
  return (await startFlow(aliasId)).location;
}

describe('OAuth', () => {
  it('when the simulator redirects to the callback, then the alias is authorized with sealed tokens', async () => {
    const aliasId = await codeAlias('Code flow');
    const flow = await startFlow(aliasId);
    // PKCE as the simulator requires it by default: only the S256 challenge travels via the browser.
    expect(flow.authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(flow.authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(flow.setCookie).toMatch(/HttpOnly/);
    expect(flow.setCookie).toMatch(/SameSite=Lax/);
    expect(flow.setCookie).toMatch(/Path=\/oauth\/callback/);
    const callback = await get(flow.location, flow.cookie);
    expect(callback.status).toBe(200);
    expect(callback.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(callback.headers.get('content-type')).toMatch(/text\/html/);
    expect(callback.bodyText).toContain('Authorized');
    const alias = await call('get', `/api/v1/aliases/${aliasId}`, { token: 'viewer' });
    expect(alias.json).toMatchObject({
      authStatus: 'authorized',
      clientSecretSet: true,
      authorizedOrg: { orgId: sim.orgs[0]!.orgId },
    });
  });

  it('when a callback is replayed, then the second one is refused and the tokens are not replaced', async () => {
    const aliasId = await codeAlias('Replay');
    const { location, cookie } = await startFlow(aliasId);
    expect((await get(location, cookie)).status).toBe(200);
    const issuedAt = (await api.models.ConnectionAlias.findById(aliasId).lean())?.tokens?.issuedAt;
    const replay = await get(location, cookie);
    expect(replay.status).toBe(400);
    expect(replay.bodyText).toMatch(/already used or has expired/);
    expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.tokens?.issuedAt).toEqual(issuedAt);
  });

  it('when the state is tampered with, moved to another alias or was never issued, then it is refused as foreign', async () => {
    const aliasId = await codeAlias('Tamper');
    const otherId = await codeAlias('Tamper other');
    const location = new URL(await authorizeInSimulator(aliasId));
    const [nonce, , exp, sig] = location.searchParams.get('state')!.split('.');
    for (const state of [
      `${nonce}.${otherId}.${exp}.${sig}`,
      `${nonce}.${aliasId}.${Number(exp) + 999}.${sig}`,
      'made.up.state.x',
    ]) {
      location.searchParams.set('state', state);
      const res = await get(location.toString());
      expect(res.status).toBe(400);
      expect(res.bodyText).toMatch(/not issued by this server/);
    }
    expect((await api.models.ConnectionAlias.findById(otherId).lean())?.authStatus).toBe('not_authorized');
  });

  it('when the state expires in Redis, then the callback is refused; the state lives no longer than the configured TTL', async () => {
    const aliasId = await codeAlias('Expiry');
    const location = new URL(await authorizeInSimulator(aliasId));
    const nonce = location.searchParams.get('state')!.split('.')[0]!;
    const key = `${api.config.redis.prefix}:oauth-state:${nonce}`;
    const ttl = await api.redis.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(api.config.api.oauthStateTtlSeconds);
    await api.redis.redis.del(key); // what Redis does when the TTL runs out
    const res = await get(location.toString());
    expect(res.status).toBe(400);
  });

  it('when the callback comes from another browser than the one that started the flow, then it is refused and the state is spent', async () => {
    const aliasId = await codeAlias('Other browser');
    const { location, cookie } = await startFlow(aliasId);
    const [name] = cookie.split('=');
    for (const foreign of [
      undefined,
      `${name}=someone-elses-secret`,
      `seatwise_oauth_other=${cookie.split('=')[1]}`,
    ]) {
      const res = await get(location, foreign);
      expect(res.status).toBe(400);
      expect(res.bodyText).toMatch(/another browser|already used/);
    }
    // The rightful browser comes too late: the state was spent by the first foreign attempt.
    expect((await get(location, cookie)).status).toBe(400);
    expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.authStatus).toBe('not_authorized');
  });

  it("when the code is exchanged without the flow's PKCE verifier, then the simulator refuses it", async () => {
    const aliasId = await codeAlias('Verifier');
    const { location } = await startFlow(aliasId);
    const code = new URL(location).searchParams.get('code') ?? '';
    const org = sim.orgs[0]!;
    const exchange = (verifier?: string) =>
      fetch(`${org.loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: org.clientId,
          client_secret: org.clientSecret,
          redirect_uri: `${api.url}/oauth/callback`,
          ...(verifier ? { code_verifier: verifier } : {}),
        }).toString(),
      });
    // What an attacker holding only the browser's view (code, state, challenge) can do.
    const stolen = await exchange();
    expect([stolen.status, await stolen.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'invalid code verifier' },
    ]);
  });

  it("when the callback carries markup or a description in Salesforce's error, then the page repeats neither", async () => {
    const res = await get(`${api.url}/oauth/callback?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    expect(res.status).toBe(400);
    expect(res.bodyText).not.toContain('<script>');
    expect(res.bodyText).not.toContain('alert(1)');
    const described = await get(
      `${api.url}/oauth/callback?error=access_denied&error_description=Call%20555-0100`,
    );
    expect(described.bodyText).toContain('access_denied');
    expect(described.bodyText).not.toContain('555-0100');
  });

  it('when a client credentials alias asks for a token, then it is authorized without a browser; a wrong secret is 422', async () => {
    const org = sim.orgs[1]!;
    const created = await call('post', '/api/v1/aliases', {
      body: {
        name: 'CC',
        instanceUrl: org.instanceUrl,
        grantType: 'client_credentials',
        clientId: org.clientId,
        clientSecret: org.clientSecret,
      },
    });
    const id = (created.json as { id: string }).id;
    expect((await call('post', `/api/v1/aliases/${id}/oauth/start`)).status).toBe(409);
    const res = await call('post', `/api/v1/aliases/${id}/oauth/token`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ authStatus: 'authorized', authorizedOrg: { orgId: org.orgId } });
    const stored = await api.models.ConnectionAlias.findById(id).lean();
    droppedTokens.push(
      createSecretBox(api.config.crypto).open(stored!.tokens!.accessToken, {
        aliasId: id,
        field: 'accessToken',
      }),
    );
    await call('patch', `/api/v1/aliases/${id}`, { body: { clientSecret: 'wrong-secret-abcdef' } });
    const refused = await call('post', `/api/v1/aliases/${id}/oauth/token`);
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'OAUTH_REFUSED' });
  });

  it('when the encryption key is rotated, then secrets sealed with the old key still work and new tokens use the new key', async () => {
    const org = sim.orgs[1]!;
    const created = await call('post', '/api/v1/aliases', {
      body: {
        name: 'Rotated',
        instanceUrl: org.instanceUrl,
        grantType: 'client_credentials',
        clientId: org.clientId,
        clientSecret: org.clientSecret,
      },
    });
    const id = (created.json as { id: string }).id;
    const rotatedConfig = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_PREFIX: api.config.redis.prefix,
      ENCRYPTION_KEYS: `k2:${Buffer.alloc(32, 9).toString('base64')},k1:${Buffer.alloc(32, 7).toString('base64')}`,
      API_TOKENS: `admin:admin:${sha256Hex(ROLE_TOKENS.admin)}`,
      SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    });
    const server = createApp({
      redis: api.redis.redis,
      mongo: api.db.connection,
      config: rotatedConfig,
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/aliases/${id}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ROLE_TOKENS.admin}` },
      });
      bodies.push(await res.text());
      expect(res.status).toBe(200);
      const stored = await api.models.ConnectionAlias.findById(id).lean();
      expect(stored?.clientSecret?.keyId).toBe('k1');
      expect(stored?.tokens?.accessToken.keyId).toBe('k2');
      droppedTokens.push(
        createSecretBox(rotatedConfig.crypto).open(stored!.tokens!.accessToken, {
          aliasId: id,
          field: 'accessToken',
        }),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    // The old-key process can no longer read the new tokens; drop them so the grep below can open all others.
    await api.models.ConnectionAlias.updateOne({ _id: id }, { $set: { tokens: null } });
  });

  it('when everything above has run, then no client secret or token appears in any response body or log line', async () => {
    const box = createSecretBox(api.config.crypto);
    const aliases = await api.models.ConnectionAlias.find({ tokens: { $ne: null } }).lean();
    expect(aliases.length).toBeGreaterThanOrEqual(2);
    const secrets = [...sim.orgs.map((o) => o.clientSecret), 'wrong-secret-abcdef', ...droppedTokens];
    for (const a of aliases) {
      const aliasId = String(a._id);
      secrets.push(box.open(a.tokens!.accessToken, { aliasId, field: 'accessToken' }));
      if (a.tokens!.refreshToken)
        secrets.push(box.open(a.tokens!.refreshToken, { aliasId, field: 'refreshToken' }));
    }
    expect(api.logs.length).toBeGreaterThan(10);
    const haystacks = [...bodies, ...api.logs];
    const leaks = secrets.filter((secret) => haystacks.some((h) => h.includes(secret)));
    expect(leaks).toEqual([]);
  });
});
