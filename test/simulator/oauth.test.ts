import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { API, form, RestClient, startTestSimulator } from './simulatorTestClient.js';

interface TokenBody {
  access_token: string;
  refresh_token?: string;
  instance_url: string;
  id: string;
  token_type: string;
  issued_at: string;
  signature: string;
  scope: string;
}

const VERIFIER = 'v'.repeat(43);
const PKCE = {
  code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
  code_challenge_method: 'S256',
};

describe('OAuth 2.0', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let noRunAs: SimulatorOrgInfo;

  beforeAll(async () => {
    sim = await startTestSimulator({
      orgs: [
        { users: 20, seed: 1, redirectUri: 'https://seatwise.example.com/oauth/callback' },
        { users: 10, clientCredentialsUser: false },
      ],
    });
    [org, noRunAs] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo];
  });
  afterAll(() => sim.stop());

  const authorize = (params: Record<string, string>, base = sim.url): Promise<Response> =>
    fetch(`${base}/services/oauth2/authorize?${new URLSearchParams(params).toString()}`, {
      redirect: 'manual',
    });

  async function authorizationCode(redirectUri: string, extra: Record<string, string> = {}): Promise<string> {
    const response = await authorize({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: redirectUri,
      state: 'xyz',
      ...PKCE,
      ...extra,
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('xyz');
    return location.searchParams.get('code') ?? '';
  }

  const token = (values: Record<string, string>, base = sim.url): Promise<Response> =>
    fetch(`${base}/services/oauth2/token`, form(values));

  const exchange = (
    code: string,
    redirectUri: string,
    extra: Record<string, string> = {},
  ): Promise<Response> =>
    token(
      // An empty value leaves the field out.
      Object.fromEntries(
        Object.entries({
          grant_type: 'authorization_code',
          code,
          client_id: org.clientId,
          client_secret: org.clientSecret,
          redirect_uri: redirectUri,
          code_verifier: VERIFIER,
          ...extra,
        }).filter(([, value]) => value !== ''),
      ),
    );

  it('when the authorization code flow completes, then the tokens have Salesforce’s shape and signature', async () => {
    const redirectUri = 'https://seatwise.example.com/oauth/callback';
    const code = await authorizationCode(redirectUri);
    const response = await exchange(code, redirectUri);
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body.access_token.startsWith(`${org.orgId}!`)).toBe(true);
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body).toMatchObject({
      instance_url: org.instanceUrl,
      token_type: 'Bearer',
      id: `${sim.url}/id/${org.orgId}/${org.adminUserId}`,
    });
    expect(body.issued_at).toMatch(/^\d{13}$/);
    const expected = createHmac('sha256', org.clientSecret)
      .update(body.id + body.issued_at)
      .digest('base64');
    expect(body.signature).toBe(expected);
    const client = new RestClient(org, body.access_token);
    expect((await client.query('SELECT Id FROM User LIMIT 1')).status).toBe(200);
    const identity = await fetch(body.id, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(((await identity.json()) as { username: string }).username).toBe(org.adminUsername);
  });

  it('when a loopback callback on any port is used, then it is accepted as RFC 8252 allows', async () => {
    const redirectUri = 'http://127.0.0.1:54321/oauth/callback';
    const code = await authorizationCode(redirectUri);
    expect((await exchange(code, redirectUri)).status).toBe(200);
  });

  it('when the redirect URI is not registered, then authorize refuses with redirect_uri_mismatch', async () => {
    const response = await authorize({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: 'https://evil.example.com/cb',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'redirect_uri_mismatch' });
  });

  it('when the user denies access, then the callback gets error=access_denied and the state', async () => {
    const redirectUri = 'http://localhost:3000/oauth/callback';
    const denied = await authorize({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: redirectUri,
      state: 's1',
      ...PKCE,
      sim_decision: 'deny',
    });
    const location = new URL(denied.headers.get('location') ?? '');
    expect([location.searchParams.get('error'), location.searchParams.get('state')]).toEqual([
      'access_denied',
      's1',
    ]);
    sim.admin.addFault({ kind: 'accessDenied', orgId: org.orgId, count: 1 });
    const viaFault = await authorize({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: redirectUri,
      state: 's2',
      ...PKCE,
    });
    expect(new URL(viaFault.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
    const next = await authorize({
      response_type: 'code',
      client_id: org.clientId,
      redirect_uri: redirectUri,
      state: 's3',
      ...PKCE,
    });
    expect(new URL(next.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
  });

  it('when the org shows a consent page, then a browser GET gets the login form, and its Allow posts back for the code', async () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    sim.admin.setOAuthPolicy(org.orgId, { consentPage: true });
    try {
      const params = {
        response_type: 'code',
        client_id: org.clientId,
        redirect_uri: redirectUri,
        state: 'c"1<',
        ...PKCE,
      };
      const page = await authorize(params);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<form method="post" action="/services/oauth2/authorize">');
      // Every parameter rides along, escaped.
      expect(html).toContain('name="state" value="c&quot;1&lt;"');
      expect(html).toContain('name="sim_decision" value="allow"');
      const allowed = await fetch(`${sim.url}/services/oauth2/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...params, sim_username: 'admin', sim_decision: 'allow' }).toString(),
      });
      expect(allowed.status).toBe(302);
      const location = new URL(allowed.headers.get('location') ?? '');
      expect([location.searchParams.get('state'), !!location.searchParams.get('code')]).toEqual([
        'c"1<',
        true,
      ]);
    } finally {
      sim.admin.setOAuthPolicy(org.orgId, { consentPage: false });
    }
  });

  it('when a code is reused or has expired, then the exchange is invalid_grant', async () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    const code = await authorizationCode(redirectUri);
    expect((await exchange(code, redirectUri)).status).toBe(200);
    const reused = await exchange(code, redirectUri);
    expect([reused.status, ((await reused.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_grant',
    ]);
    const stale = await authorizationCode(redirectUri);
    sim.admin.advanceClock(10 * 60_000 + 1);
    expect(await (await exchange(stale, redirectUri)).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired authorization code',
    });
  });

  it('when the exchange names another redirect URI, then it is redirect_uri_mismatch', async () => {
    const code = await authorizationCode('http://127.0.0.1:1/oauth/callback');
    const response = await exchange(code, 'http://127.0.0.1:2/oauth/callback');
    expect(await response.json()).toMatchObject({ error: 'redirect_uri_mismatch' });
  });

  it('when the app requires PKCE and authorize has no code challenge, then the callback gets "missing required code challenge"', async () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    const params = { response_type: 'code', client_id: org.clientId, redirect_uri: redirectUri, state: 'p1' };
    const refused = new URL((await authorize(params)).headers.get('location') ?? '');
    expect(Object.fromEntries(refused.searchParams)).toEqual({
      error: 'invalid_request',
      error_description: 'missing required code challenge',
      state: 'p1',
    });
    const plain = new URL(
      (await authorize({ ...params, ...PKCE, code_challenge_method: 'plain' })).headers.get('location') ?? '',
    );
    expect(plain.searchParams.get('error')).toBe('invalid_request');
    sim.admin.setOAuthPolicy(org.orgId, { pkceRequired: false });
    try {
      const allowed = new URL((await authorize(params)).headers.get('location') ?? '');
      const code = allowed.searchParams.get('code') ?? '';
      expect((await exchange(code, redirectUri, { code_verifier: '' })).status).toBe(200);
    } finally {
      sim.admin.setOAuthPolicy(org.orgId, { pkceRequired: true });
    }
  });

  it.each([
    ['a wrong verifier', 'b'.repeat(50)],
    ['no verifier', ''],
  ])(
    'when the code exchange has %s, then it is invalid_grant "invalid code verifier"',
    async (_case, verifier) => {
      const redirectUri = 'http://127.0.0.1:1/oauth/callback';
      const code = await authorizationCode(redirectUri);
      const response = await exchange(code, redirectUri, { code_verifier: verifier });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'invalid code verifier',
      });
    },
  );

  async function refresh(refreshToken: string): Promise<Response> {
    return token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: org.clientId,
      client_secret: org.clientSecret,
    });
  }

  async function newGrant(): Promise<TokenBody> {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    return (await (await exchange(await authorizationCode(redirectUri), redirectUri)).json()) as TokenBody;
  }

  it('when rotation is off and a refresh token is used, then a new access token comes back without a new refresh token', async () => {
    sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: false });
    try {
      const first = await newGrant();
      const refreshed = await refresh(first.refresh_token ?? '');
      const body = (await refreshed.json()) as TokenBody;
      expect(refreshed.status).toBe(200);
      expect(body.refresh_token).toBeUndefined();
      expect(body.access_token).not.toBe(first.access_token);
      expect((await new RestClient(org, body.access_token).query('SELECT Id FROM User LIMIT 1')).status).toBe(
        200,
      );
      expect((await refresh(first.refresh_token ?? '')).status).toBe(200);
    } finally {
      sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: true });
    }
  });

  it('when rotation is on, then each refresh answers a new refresh token and reusing a retired one revokes the whole grant', async () => {
    const first = await newGrant();
    const rotated = (await (await refresh(first.refresh_token ?? '')).json()) as TokenBody;
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    const next = (await (await refresh(rotated.refresh_token ?? '')).json()) as TokenBody;
    expect((await new RestClient(org, next.access_token).query('SELECT Id FROM User LIMIT 1')).status).toBe(
      200,
    );
    // The first, long retired, comes back: Salesforce takes it as stolen and ends the grant.
    const reuse = await refresh(first.refresh_token ?? '');
    expect([reuse.status, await reuse.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    ]);
    expect((await refresh(next.refresh_token ?? '')).status).toBe(400);
    expect((await new RestClient(org, next.access_token).query('SELECT Id FROM User LIMIT 1')).status).toBe(
      401,
    );
    const other = await newGrant();
    expect((await refresh(other.refresh_token ?? '')).status).toBe(200);
  });

  it('when two refreshes of one refresh token overlap, then the second is refused as invalid_grant and the grant survives', async () => {
    const first = await newGrant();
    sim.admin.setLatency(org.orgId, { perCallMs: 150 });
    try {
      const answers = await Promise.all([
        refresh(first.refresh_token ?? ''),
        refresh(first.refresh_token ?? ''),
      ]);
      const bodies = await Promise.all(answers.map(async (a) => [a.status, await a.json()] as const));
      expect(bodies.map(([status]) => status).sort()).toEqual([200, 400]);
      expect(bodies.find(([status]) => status === 400)?.[1]).toEqual({
        error: 'invalid_grant',
        error_description: 'expired authorization code',
      });
      const won = bodies.find(([status]) => status === 200)?.[1] as TokenBody;
      expect((await refresh(won.refresh_token ?? '')).status).toBe(200);
    } finally {
      sim.admin.setLatency(org.orgId, { perCallMs: 0 });
    }
  });

  it('when the concurrent-refresh refusal and rotation are off, then overlapping refreshes both succeed', async () => {
    const first = await newGrant();
    sim.admin.setOAuthPolicy(org.orgId, { refuseConcurrentRefresh: false, refreshTokenRotation: false });
    sim.admin.setLatency(org.orgId, { perCallMs: 150 });
    try {
      const answers = await Promise.all([
        refresh(first.refresh_token ?? ''),
        refresh(first.refresh_token ?? ''),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    } finally {
      sim.admin.setLatency(org.orgId, { perCallMs: 0 });
      sim.admin.setOAuthPolicy(org.orgId, { refuseConcurrentRefresh: true, refreshTokenRotation: true });
    }
  });

  it('when the OAuth policy is set over the admin API, then it applies to that org only', async () => {
    const put = await fetch(`${sim.url}/__admin/orgs/${noRunAs.orgId}/oauth-policy`, {
      method: 'PUT',
      body: JSON.stringify({ pkceRequired: false }),
    });
    expect(await put.json()).toEqual({
      pkceRequired: false,
      refreshTokenRotation: true,
      refuseConcurrentRefresh: true,
      consentPage: false,
    });
    expect(sim.admin.oauthPolicy(org.orgId).pkceRequired).toBe(true);
    const bad = await fetch(`${sim.url}/__admin/orgs/${noRunAs.orgId}/oauth-policy`, {
      method: 'PUT',
      body: JSON.stringify({ pkce: 'yes' }),
    });
    expect(bad.status).toBe(400);
  });

  it('when refresh tokens are revoked by the admin, then refreshing is invalid_grant "expired access/refresh token"', async () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    const first = (await (
      await exchange(await authorizationCode(redirectUri), redirectUri)
    ).json()) as TokenBody;
    const revoked = await fetch(`${sim.url}/__admin/orgs/${org.orgId}/revoke-refresh-tokens`, {
      method: 'POST',
    });
    expect(((await revoked.json()) as { revoked: number }).revoked).toBeGreaterThan(0);
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
      client_id: org.clientId,
      client_secret: org.clientSecret,
    });
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
  });

  it('when the revoke endpoint is called with a refresh token, then it and its sessions stop working', async () => {
    const redirectUri = 'http://127.0.0.1:1/oauth/callback';
    const first = (await (
      await exchange(await authorizationCode(redirectUri), redirectUri)
    ).json()) as TokenBody;
    const response = await fetch(
      `${sim.url}/services/oauth2/revoke`,
      form({ token: first.refresh_token ?? '' }),
    );
    expect(response.status).toBe(200);
    expect((await new RestClient(org, first.access_token).query('SELECT Id FROM User')).status).toBe(401);
    const again = await fetch(
      `${sim.url}/services/oauth2/revoke`,
      form({ token: first.refresh_token ?? '' }),
    );
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([400, 'invalid_token']);
  });

  it('when an access token outlives its TTL, then calls get 401 INVALID_SESSION_ID', async () => {
    const client = await RestClient.connect(org);
    sim.admin.setAccessTokenTtl(60);
    sim.admin.advanceClock(61_000);
    const { status, body } = await client.json<unknown>('/query?q=SELECT+Id+FROM+User');
    sim.admin.setAccessTokenTtl(7200);
    expect(status).toBe(401);
    expect(body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('when client credentials are used on My Domain, then the token has no refresh token', async () => {
    const response = await token(
      { grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret },
      org.instanceUrl,
    );
    const body = (await response.json()) as TokenBody;
    expect(response.status).toBe(200);
    expect(body.refresh_token).toBeUndefined();
    expect(body.instance_url).toBe(org.instanceUrl);
  });

  it.each([
    [
      'client credentials on the login host',
      () =>
        token({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret }),
      'invalid_grant',
      'request not supported on this domain',
    ],
    [
      'client credentials without a run-as user',
      () =>
        token(
          {
            grant_type: 'client_credentials',
            client_id: noRunAs.clientId,
            client_secret: noRunAs.clientSecret,
          },
          noRunAs.instanceUrl,
        ),
      'invalid_grant',
      'no client credentials user enabled',
    ],
    [
      'an unknown client id',
      () =>
        token({ grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' }, org.instanceUrl),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'a wrong client secret',
      () =>
        token(
          { grant_type: 'client_credentials', client_id: org.clientId, client_secret: 'wrong' },
          org.instanceUrl,
        ),
      'invalid_client',
      'invalid client credentials',
    ],
    [
      'an unknown grant type',
      () => token({ grant_type: 'password', client_id: org.clientId }),
      'unsupported_grant_type',
      'grant type not supported',
    ],
    [
      'a missing code',
      () =>
        token({ grant_type: 'authorization_code', client_id: org.clientId, client_secret: org.clientSecret }),
      'invalid_request',
      'missing required code parameter',
    ],
    [
      'a GET on the token endpoint',
      () => fetch(`${sim.url}/services/oauth2/token`),
      'invalid_request',
      'must use HTTP POST',
    ],
    [
      'another org’s client on this My Domain',
      () =>
        token(
          {
            grant_type: 'client_credentials',
            client_id: noRunAs.clientId,
            client_secret: noRunAs.clientSecret,
          },
          org.instanceUrl,
        ),
      'invalid_client_id',
      'client identifier invalid',
    ],
  ])('when the token request has %s, then it is a 400 %s', async (_case, send, error, description) => {
    const response = await send();
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error, error_description: description });
  });

  it('when a token of one org is used on another org, then it is 401 INVALID_SESSION_ID', async () => {
    const client = await RestClient.connect(org);
    const response = await fetch(`${noRunAs.instanceUrl}${API}/limits`, {
      headers: { authorization: `Bearer ${client.token}` },
    });
    expect(response.status).toBe(401);
  });

  it('when token calls are made, then they do not count against the API allowance', async () => {
    const before = sim.admin.apiUsage(org.orgId).used;
    await RestClient.connect(org);
    expect(sim.admin.apiUsage(org.orgId).used).toBe(before);
    const calls = sim.callLog.entries({ orgId: org.orgId, area: 'oauth' });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => !c.counted)).toBe(true);
  });
});
