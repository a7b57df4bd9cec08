/**
 * Tokens belong to the alias that was granted them. Two aliases of one org share a client factory
 * (as every job of a worker process does), yet each calls Salesforce with its own token and
 * refreshes its own grant; an alias whose stored tokens claim another org's id never gets that
 * org's tokens, and a refresh naming another org than the alias's is refused. The simulator's call
 * log tells which token each call carried (fingerprints).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { OrgCredentials } from '../../shared/salesforce/salesforceClient.js';
import type { CallLogEntry, RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator, tokenFingerprint } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import { authorizedCredentials, clientsFor, failureOf, RecordingTokenStore } from './clientHarness.js';

describe('Salesforce tokens per alias', () => {
  let sim: RunningSimulator;
  let orgA: SimulatorOrgInfo;
  let orgB: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;

  beforeAll(async () => {
    sim = await startSimulator({
      orgs: [
        { users: 10, seed: 21 },
        { users: 10, seed: 22 },
      ],
      quiet: true,
    });
    [orgA, orgB] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo];
    redis = await openTestRedis('sfalias');
    clients = clientsFor(redis);
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  /** Data and OAuth calls the simulator answered after `seq`. */
  const callsAfter = (seq: number): CallLogEntry[] => sim.callLog.entries().filter((e) => e.seq > seq);
  const lastSeq = (): number => sim.callLog.entries().at(-1)?.seq ?? 0;
  const bearer = (token: string) => tokenFingerprint(token);

  it('when two aliases of one org call Salesforce and refresh, then each uses only its own tokens', async () => {
    const first: OrgCredentials = await authorizedCredentials(sim.url, orgA, 'alias-one');
    const second: OrgCredentials = await authorizedCredentials(sim.url, orgA, 'alias-two');
    const tokensOf = { one: first.tokens!, two: second.tokens! };
    expect(tokensOf.two.issuedAt.getTime()).toBeGreaterThanOrEqual(tokensOf.one.issuedAt.getTime());
    const stores = { one: new RecordingTokenStore(tokensOf.one), two: new RecordingTokenStore(tokensOf.two) };
    const clientTwo = clients.forOrg(second, stores.two);
    const clientOne = clients.forOrg(first, stores.one);

    let mark = lastSeq();
    await clientOne.limits();
    expect(callsAfter(mark).map((c) => c.credentials?.bearer)).toEqual([bearer(tokensOf.one.accessToken)]);
    mark = lastSeq();
    await clientTwo.limits();
    expect(callsAfter(mark).map((c) => c.credentials?.bearer)).toEqual([bearer(tokensOf.two.accessToken)]);

    // Both sessions end: each alias refreshes its own grant, with its own refresh token.
    sim.admin.expireAccessTokens(orgA.orgId);
    mark = lastSeq();
    await clientOne.limits();
    const oneCalls = callsAfter(mark);
    const oneRefresh = oneCalls.filter((c) => c.area === 'oauth');
    expect(oneRefresh.map((c) => c.credentials?.refreshToken)).toEqual([bearer(tokensOf.one.refreshToken!)]);
    expect(stores.one.saved).toHaveLength(1);
    const oneFresh = stores.one.saved[0]!.accessToken;
    expect(oneCalls.filter((c) => c.area === 'rest').at(-1)?.credentials?.bearer).toBe(bearer(oneFresh));

    mark = lastSeq();
    await clientTwo.limits();
    const twoCalls = callsAfter(mark);
    expect(twoCalls.filter((c) => c.area === 'oauth').map((c) => c.credentials?.refreshToken)).toEqual([
      bearer(tokensOf.two.refreshToken!),
    ]);
    expect(stores.two.saved).toHaveLength(1);
    const usedByTwo = twoCalls.filter((c) => c.area === 'rest').map((c) => c.credentials?.bearer);
    expect(usedByTwo).not.toContain(bearer(oneFresh));
    expect(usedByTwo.at(-1)).toBe(bearer(stores.two.saved[0]!.accessToken));
  });

  it('when an alias’s tokens claim another org’s id, then it still calls with its own token and never receives that org’s', async () => {
    const genuine = await authorizedCredentials(sim.url, orgA, 'genuine-a');
    // Tokens of org B stored under org A's id, as a forged `id` in a token answer once could.
    const claimant = await authorizedCredentials(sim.url, orgB, 'claims-a');
    const claimed: OrgCredentials = {
      ...claimant,
      orgId: orgA.orgId,
      tokens: { ...claimant.tokens!, orgId: orgA.orgId, issuedAt: new Date(0) },
    };
    const claimantStore = new RecordingTokenStore(claimed.tokens);
    await clients.forOrg(genuine, new RecordingTokenStore(genuine.tokens)).limits();
    const client = clients.forOrg(claimed, claimantStore);

    let mark = lastSeq();
    await client.limits();
    expect(callsAfter(mark).map((c) => c.credentials?.bearer)).toEqual([
      bearer(claimant.tokens!.accessToken),
    ]);

    // Its refresh is verified through the identity URL: org B, not the claimed org A. Refused, not stored.
    sim.admin.expireAccessTokens(orgB.orgId);
    mark = lastSeq();
    const error = await failureOf(client.limits());
    expect(error).toMatchObject({ kind: 'auth', errorCode: 'ORG_MISMATCH' });
    expect(claimantStore.saved).toEqual([]);
    expect(claimantStore.reauthorizationReasons).toHaveLength(1);
    const used = callsAfter(mark).map((c) => c.credentials?.bearer);
    expect(used).not.toContain(bearer(genuine.tokens!.accessToken));
  });
});
