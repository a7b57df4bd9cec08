import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import {
  authorizeUrl,
  clientCredentialsGrant,
  exchangeAuthorizationCode,
  pkcePair,
  refreshAccessToken,
  revokeToken,
} from '../../shared/salesforce/oauth.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import { LOOPBACK_ENDPOINTS } from './clientHarness.js';

const REDIRECT = 'http://127.0.0.1:9/oauth/callback';

async function caught(promise: Promise<unknown>): Promise<SalesforceError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SalesforceError))
    throw new Error(`expected a SalesforceError, got ${String(error)}`);
  return error;
}

describe('OAuth functions', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  const loop = { endpoints: LOOPBACK_ENDPOINTS, timeoutMs: 5_000 };

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users: 10, seed: 3 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
  });
  afterAll(() => sim.stop());

  async function codeFromBrowser(challenge: string): Promise<string> {
    const url = authorizeUrl({
      instanceUrl: sim.url,
      clientId: org.clientId,
      redirectUri: REDIRECT,
      state: 's1',
      codeChallenge: challenge,
      ...loop,
    });
    expect(new URL(url).searchParams.get('scope')).toBe('api refresh_token offline_access');
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('s1');
    return location.searchParams.get('code') ?? '';
  }

  /** The Authorization Code grant as an admin does it: browser consent, then the code exchanged. */
  async function authorizeInBrowser(verifier?: string) {
    const pkce = pkcePair();
    return exchangeAuthorizationCode({
      instanceUrl: sim.url,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      redirectUri: REDIRECT,
      code: await codeFromBrowser(pkce.challenge),
      codeVerifier: verifier ?? pkce.verifier,
      ...loop,
    });
  }

  it('when the code is exchanged with another verifier than the challenge was made from, then the grant is refused', async () => {
    const error = await caught(authorizeInBrowser(pkcePair().verifier));
    expect(error).toMatchObject({ kind: 'auth', errorCode: 'invalid_grant' });
  });

  it('when two refreshes of one refresh token overlap, then the refused one is retryable REFRESH_IN_PROGRESS, not "re-authorize"', async () => {
    const tokens = await authorizeInBrowser();
    sim.admin.setLatency(org.orgId, { perCallMs: 150 });
    try {
      const refresh = () =>
        refreshAccessToken({
          instanceUrl: tokens.instanceUrl,
          clientId: org.clientId,
          clientSecret: org.clientSecret,
          refreshToken: tokens.refreshToken ?? '',
          ...loop,
        }).then(
          () => 'ok',
          (error: unknown) => error,
        );
      const outcomes = await Promise.all([refresh(), refresh()]);
      expect(outcomes).toContain('ok');
      expect(outcomes.find((o) => o !== 'ok')).toMatchObject({
        kind: 'retryable',
        errorCode: 'REFRESH_IN_PROGRESS',
      });
    } finally {
      sim.admin.setLatency(org.orgId, { perCallMs: 0 });
    }
  });

  it('when rotation is off and a code is exchanged then refreshed, then the org and user come from the identity URL and the refresh token is kept', async () => {
    sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: false });
    onTestFinished(() => {
      sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: true });
    });
    const tokens = await authorizeInBrowser();
    expect(tokens).toMatchObject({ orgId: org.orgId, userId: org.adminUserId, instanceUrl: org.instanceUrl });
    expect(tokens.refreshToken).toEqual(expect.any(String));

    const refreshed = await refreshAccessToken({
      instanceUrl: tokens.instanceUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      refreshToken: tokens.refreshToken ?? '',
      ...loop,
    });
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
  });

  it('when rotation is on, then a refresh hands back the new refresh token', async () => {
    const tokens = await authorizeInBrowser();
    const refreshed = await refreshAccessToken({
      instanceUrl: tokens.instanceUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      refreshToken: tokens.refreshToken ?? '',
      ...loop,
    });
    expect(refreshed.refreshToken).toEqual(expect.any(String));
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
  });

  it('when the refresh token was revoked, then the error says the alias must be re-authorized', async () => {
    const tokens = await authorizeInBrowser();
    await revokeToken({ instanceUrl: sim.url, token: tokens.refreshToken ?? '', ...loop });
    const error = await caught(
      refreshAccessToken({
        instanceUrl: sim.url,
        clientId: org.clientId,
        clientSecret: org.clientSecret,
        refreshToken: tokens.refreshToken ?? '',
        ...loop,
      }),
    );
    expect(error).toMatchObject({ kind: 'auth', errorCode: 'invalid_grant' });
    expect(error.message).toMatch(/re-authorized/);
    expect(error.message).not.toContain(tokens.refreshToken ?? '???');
  });

  it('when client credentials are granted on My Domain, then tokens come back without a refresh token', async () => {
    const tokens = await clientCredentialsGrant({
      instanceUrl: org.instanceUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      ...loop,
    });
    expect(tokens).toMatchObject({ orgId: org.orgId, refreshToken: null });
  });

  it('when the secret is wrong, then the error is permanent, names the code, and keeps Salesforce’s words out of its message', async () => {
    const error = await caught(
      clientCredentialsGrant({
        instanceUrl: org.instanceUrl,
        clientId: org.clientId,
        clientSecret: 'nope',
        ...loop,
      }),
    );
    expect(error).toMatchObject({ kind: 'permanent', errorCode: 'invalid_client', status: 400 });
    expect(error.message).not.toContain('invalid client credentials');
    expect(error.remoteMessage).toBe('invalid client credentials');
  });

  it('when the token endpoint answers 503, then the error is retryable', async () => {
    sim.admin.addFault({
      kind: 'serverError',
      status: 503,
      orgId: org.orgId,
      path: '/services/oauth2/token',
      count: 1,
    });
    const error = await caught(
      clientCredentialsGrant({
        instanceUrl: org.instanceUrl,
        clientId: org.clientId,
        clientSecret: org.clientSecret,
        ...loop,
      }),
    );
    expect(error).toMatchObject({ kind: 'retryable', status: 503 });
  });

  it('when the instance URL is plain http or off Salesforce, then nothing is sent unless its host is listed', async () => {
    const before = sim.callLog.entries().length;
    const salesforceOnly = { allowedHostSuffixes: ['salesforce.com'], insecureHttpHosts: [] };
    for (const [instanceUrl, endpoints] of [
      ['http://example.com', LOOPBACK_ENDPOINTS],
      ['http://acme.my.salesforce.com', salesforceOnly],
      [sim.url, salesforceOnly],
      [sim.url.replace('127.0.0.1', 'localhost'), LOOPBACK_ENDPOINTS],
    ] as const) {
      const error = await caught(
        clientCredentialsGrant({
          instanceUrl,
          clientId: org.clientId,
          clientSecret: org.clientSecret,
          endpoints,
        }),
      );
      expect(error).toMatchObject({ kind: 'permanent', errorCode: 'INSECURE_INSTANCE_URL' });
    }
    expect(sim.callLog.entries().length).toBe(before);
  });
});
