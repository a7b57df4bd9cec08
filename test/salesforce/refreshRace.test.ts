/**
 * Refreshing one alias's tokens from two "processes" at once (two client factories with runtimes of
 * their own, on one Redis and one alias document in FerretDB) against an org whose app rotates
 * refresh tokens, revokes the grant on reuse and refuses overlapping refreshes, as Salesforce's do.
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox, type SecretBox } from '../../shared/crypto/secretBox.js';
import { aliasTokenStore, sealTokens } from '../../shared/db/aliasCredentials.js';
import { bindModels, type Models } from '../../shared/db/models.js';
import { refreshAccessToken } from '../../shared/salesforce/oauth.js';
import type { OrgCredentials, TokenStore } from '../../shared/salesforce/salesforceClient.js';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestDb, openTestRedis, testId, type TestDb, type TestRedis } from '../helpers/services.js';
import { LOOPBACK_ENDPOINTS, authorizedCredentials, clientsFor } from './clientHarness.js';

describe('token refresh across processes', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let db: TestDb;
  let models: Models;
  let box: SecretBox;
  let processA: SalesforceClients;
  let processB: SalesforceClients;

  beforeAll(async () => {
    // Every token call takes 150 ms, so two refreshes that are not coordinated do overlap.
    sim = await startSimulator({
      orgs: [{ users: 50, seed: 21, latency: { perCallMs: 150, perRecordMs: 0 } }],
      quiet: true,
    });
    [org] = sim.orgs as [SimulatorOrgInfo];
    [redis, db] = await Promise.all([openTestRedis('sfrefresh'), openTestDb('sfrefresh')]);
    models = bindModels(db.connection);
    box = createSecretBox({ keys: [{ id: 'k1', key: randomBytes(32) }], activeKeyId: 'k1' });
    processA = clientsFor(redis);
    processB = clientsFor(redis);
  });
  afterAll(async () => {
    await Promise.all([processA?.close(), processB?.close()]);
    await Promise.all([redis?.cleanup(), db?.drop(), sim?.stop()]);
  });

  /** An authorized alias stored as the api stores it; its store is the worker's real one. */
  async function authorizedAlias(): Promise<{
    credentials: OrgCredentials;
    store: TokenStore;
    aliasId: string;
  }> {
    const credentials = await authorizedCredentials(sim.url, org);
    const name = testId('alias');
    const _id = new Types.ObjectId();
    const aliasId = _id.toHexString();
    await models.ConnectionAlias.create({
      _id,
      name,
      nameKey: name,
      instanceUrl: org.instanceUrl,
      grantType: 'authorization_code',
      clientId: org.clientId,
      clientSecret: box.seal(org.clientSecret, { aliasId, field: 'clientSecret' }),
      tokens: sealTokens(box, aliasId, credentials.tokens!),
      authStatus: 'authorized',
    });
    return { credentials, store: aliasTokenStore(models, box, aliasId), aliasId };
  }

  const tokenAnswers = () =>
    sim.callLog.entries({ orgId: org.orgId, pathIncludes: '/services/oauth2/token' }).map((e) => e.status);

  it('when two processes see the session expire at once, then one refresh serves both, nothing is refused and the rotated grant lives on', async () => {
    const { credentials, store, aliasId } = await authorizedAlias();
    expect(sim.admin.oauthPolicy(org.orgId)).toEqual({
      pkceRequired: true,
      refreshTokenRotation: true,
      refuseConcurrentRefresh: true,
      consentPage: false,
    });
    sim.admin.expireAccessTokens(org.orgId);
    sim.callLog.reset();
    const calls = [processA, processB, processA, processB, processA, processB].map((clients) =>
      clients.forOrg(credentials, store).count('SELECT COUNT() FROM User'),
    );
    const counts = await Promise.all(calls);
    expect(counts.every((c) => c === sim.admin.truth(org.orgId).users)).toBe(true);
    // One refresh for both processes: no second refresh, so no refusal and no reuse of the old token.
    expect(tokenAnswers()).toEqual([200]);
    const stored = await store.current();
    expect(stored?.refreshToken).not.toBe(credentials.tokens?.refreshToken);
    expect((await models.ConnectionAlias.findById(aliasId).lean())?.authStatus).toBe('authorized');

    // Later, a process still holding the first tokens sees them expire: it adopts the stored ones
    // instead of sending the retired refresh token (which would revoke the grant).
    sim.admin.expireAccessTokens(org.orgId);
    sim.callLog.reset();
    expect(await processB.forOrg(credentials, store).count('SELECT COUNT() FROM User')).toBe(counts[0]);
    expect(tokenAnswers()).toEqual([200]);
    const again = await refreshAccessToken({
      instanceUrl: org.instanceUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      refreshToken: (await store.current())?.refreshToken ?? '',
      endpoints: LOOPBACK_ENDPOINTS,
    });
    expect(again.accessToken).toEqual(expect.any(String));
  });

  it('when a refresh outside seatwise is in flight, then the "already being processed" refusal is waited out, not taken for a dead grant', async () => {
    sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: false });
    try {
      const { credentials, store, aliasId } = await authorizedAlias();
      sim.admin.expireAccessTokens(org.orgId);
      sim.callLog.reset();
      // The outside refresh stays in flight for a second: the client's refresh lands inside it.
      sim.admin.addFault({
        kind: 'slow',
        orgId: org.orgId,
        path: '/services/oauth2/token',
        extraMs: 1_000,
        count: 1,
      });
      const outside = refreshAccessToken({
        instanceUrl: org.instanceUrl,
        clientId: org.clientId,
        clientSecret: org.clientSecret,
        refreshToken: credentials.tokens?.refreshToken ?? '',
        endpoints: LOOPBACK_ENDPOINTS,
      });
      const client = processA.forOrg(credentials, store);
      const [count] = await Promise.all([client.count('SELECT COUNT() FROM User'), outside]);
      expect(count).toBe(sim.admin.truth(org.orgId).users);
      expect(tokenAnswers()).toContain(400);
      expect(client.stats().refreshes).toBe(1);
      expect((await models.ConnectionAlias.findById(aliasId).lean())?.authStatus).toBe('authorized');
    } finally {
      sim.admin.setOAuthPolicy(org.orgId, { refreshTokenRotation: true });
    }
  });

  it('when the stored tokens were replaced meanwhile, then a conditional save refuses to overwrite them', async () => {
    const { credentials, store } = await authorizedAlias();
    const first = credentials.tokens!;
    const newer = { ...first, accessToken: 'newer', issuedAt: new Date(first.issuedAt.getTime() + 1) };
    expect(await store.save(newer, first)).toBe(true);
    const late = { ...first, accessToken: 'late', issuedAt: new Date(first.issuedAt.getTime() + 2) };
    expect(await store.save(late, first)).toBe(false);
    expect((await store.current())?.accessToken).toBe('newer');
  });
});
