/**
 * New tokens for an alias whose session expired: a refresh (web server flow) or a new grant
 * (Client Credentials). A refresh runs under the alias's cross-process lock, starts from the tokens
 * as stored now (not as this process loaded them), waits out Salesforce's "refresh already in
 * flight" refusal, and stores a rotated refresh token in one conditional write before anyone uses
 * the new access token: with rotation the refresh token sent is dead once Salesforce answers.
 * A grant naming another org than the one the alias was authorized to is refused and not stored:
 * moving an alias to another org is an admin's decision (api: re-authorize with `confirmOrgChange`).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { clientCredentialsGrant, refreshAccessToken, type OAuthEndpoint } from './oauth.js';
import type { RefreshLock } from './refreshLock.js';
import type { OrgCredentials, OrgTokens, TokenStore } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';

/** Back-off before asking again after "refresh already in flight" (ms, doubled, jittered). */
const IN_FLIGHT_RETRY_MS = [250, 500, 1_000, 2_000];
/** Attempts at storing refreshed tokens before giving up (the database may be restarting). */
const SAVE_ATTEMPTS = 4;

export interface RenewalContext {
  config: Config['salesforce'];
  log: Logger;
  refreshLock: RefreshLock;
}

export interface Renewal {
  tokens: OrgTokens;
  /** false when another process (or a re-authorization) had already stored newer tokens. */
  minted: boolean;
}

export async function renewTokens(
  ctx: RenewalContext,
  credentials: OrgCredentials,
  store: TokenStore,
  stale: OrgTokens | null,
): Promise<Renewal> {
  const endpoint = {
    instanceUrl: credentials.instanceUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    timeoutMs: ctx.config.timeoutMs,
    endpoints: ctx.config.endpoints,
  };
  try {
    if (credentials.grantType === 'client_credentials') {
      // No refresh token to race for: a second grant is harmless, so no lock and no fence.
      const fresh = sameOrg(await clientCredentialsGrant(endpoint), credentials, stale);
      await saveWithRetries(ctx, store, fresh, null);
      return { tokens: fresh, minted: true };
    }
    return await ctx.refreshLock.withLock(store.key, () =>
      refreshHoldingLock(ctx, credentials, endpoint, store, stale),
    );
  } catch (error) {
    if (error instanceof SalesforceError && error.kind === 'auth') {
      await store.markReauthorizationRequired(error.message);
    }
    throw error;
  }
}

async function refreshHoldingLock(
  ctx: RenewalContext,
  credentials: OrgCredentials,
  endpoint: OAuthEndpoint & { clientId: string; clientSecret: string },
  store: TokenStore,
  stale: OrgTokens | null,
): Promise<Renewal> {
  for (let attempt = 0; ; attempt += 1) {
    const stored = await store.current();
    if (!stored) throw notAuthorized(stale);
    // Fencing: someone refreshed (or re-authorized) since these tokens were loaded.
    if (stale && stored.accessToken !== stale.accessToken) return { tokens: stored, minted: false };
    if (!stored.refreshToken) {
      throw new SalesforceError(
        'Salesforce session expired and there is no refresh token: re-authorize this alias',
        { kind: 'auth', errorCode: 'NO_REFRESH_TOKEN', status: null, orgId: stored.orgId },
      );
    }
    let fresh: OrgTokens;
    try {
      fresh = sameOrg(
        await refreshAccessToken({ ...endpoint, refreshToken: stored.refreshToken }),
        credentials,
        stored,
      );
    } catch (error) {
      const delay = IN_FLIGHT_RETRY_MS[attempt];
      const inFlight = error instanceof SalesforceError && error.errorCode === 'REFRESH_IN_PROGRESS';
      if (!inFlight || delay === undefined) throw error;
      // Someone outside this lock (another deployment, a lock that lapsed) is refreshing: wait,
      // then start again from the store, which may hold what they got.
      ctx.log.warn(
        { orgId: stored.orgId, attempt },
        'salesforce refresh already in flight elsewhere; retrying',
      );
      await sleep(delay / 2 + Math.random() * (delay / 2));
      stale = stored;
      continue;
    }
    if (await saveWithRetries(ctx, store, fresh, stored)) return { tokens: fresh, minted: true };
    // Replaced while we refreshed (a re-authorization): the stored tokens win, ours are dropped.
    const now = await store.current();
    if (!now) throw notAuthorized(stale);
    return { tokens: now, minted: false };
  }
}

async function saveWithRetries(
  ctx: RenewalContext,
  store: TokenStore,
  fresh: OrgTokens,
  replacing: OrgTokens | null,
): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.save(fresh, replacing);
    } catch (error) {
      if (attempt >= SAVE_ATTEMPTS) {
        // With rotation the refresh token sent is already dead: losing this one loses the grant.
        ctx.log.error({ orgId: fresh.orgId, err: error }, 'could not store refreshed salesforce tokens');
        throw new SalesforceError(
          'Refreshed Salesforce tokens could not be stored; the alias may need re-authorization',
          { kind: 'retryable', errorCode: 'TOKEN_SAVE_FAILED', status: null, orgId: fresh.orgId },
          { cause: error },
        );
      }
      await sleep(250 * 2 ** attempt);
    }
  }
}

function sameOrg(fresh: OrgTokens, credentials: OrgCredentials, known: OrgTokens | null): OrgTokens {
  const expected = known?.orgId ?? credentials.orgId;
  if (expected !== null && fresh.orgId !== expected) {
    throw new SalesforceError(
      `Salesforce granted this alias tokens of org ${fresh.orgId}, not of its org ${expected}: re-authorize it (an admin must confirm an org change)`,
      { kind: 'auth', errorCode: 'ORG_MISMATCH', status: null, orgId: expected },
    );
  }
  return fresh;
}

function notAuthorized(stale: OrgTokens | null): SalesforceError {
  return new SalesforceError('This alias has no Salesforce tokens any more: authorize it again', {
    kind: 'auth',
    errorCode: 'NOT_AUTHORIZED',
    status: null,
    orgId: stale?.orgId ?? null,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
