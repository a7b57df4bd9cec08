/**
 * New tokens for an alias whose session expired: a refresh (web server flow) or a new grant
 * (Client Credentials), persisted through the alias's TokenStore. A grant naming another org
 * than the one the alias was authorized to is refused and not stored: moving an alias to
 * another org is an admin's decision (api: re-authorize with `confirmOrgChange`).
 */
import type { Config } from '../config.js';
import { clientCredentialsGrant, refreshAccessToken } from './oauth.js';
import type { OrgCredentials, OrgTokens, SalesforceInstrumentation, TokenStore } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';

export interface RenewalContext {
  config: Config['salesforce'];
  instrumentation: SalesforceInstrumentation | undefined;
}

export async function renewAliasTokens(
  credentials: OrgCredentials,
  tokenStore: TokenStore,
  ctx: RenewalContext,
  stale: OrgTokens | null,
): Promise<OrgTokens> {
  const orgLabel = stale?.orgId ?? credentials.orgId ?? credentials.instanceUrl;
  const endpoint = {
    instanceUrl: credentials.instanceUrl,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    timeoutMs: ctx.config.timeoutMs,
    endpoints: ctx.config.endpoints,
  };
  try {
    let fresh: OrgTokens;
    if (credentials.grantType === 'client_credentials') {
      fresh = await clientCredentialsGrant(endpoint);
    } else if (stale?.refreshToken) {
      fresh = await refreshAccessToken({ ...endpoint, refreshToken: stale.refreshToken });
    } else {
      throw new SalesforceError(
        'Salesforce session expired and there is no refresh token: re-authorize this alias',
        { kind: 'auth', errorCode: 'NO_REFRESH_TOKEN', status: null, orgId: stale?.orgId ?? null },
      );
    }
    const expected = stale?.orgId ?? credentials.orgId;
    if (expected !== null && fresh.orgId !== expected) {
      throw new SalesforceError(
        `Salesforce granted this alias tokens of org ${fresh.orgId}, not of its org ${expected}: re-authorize it (an admin must confirm an org change)`,
        { kind: 'auth', errorCode: 'ORG_MISMATCH', status: null, orgId: expected },
      );
    }
    await tokenStore.save(fresh);
    ctx.instrumentation?.refresh?.({ orgId: fresh.orgId, outcome: 'ok' });
    return fresh;
  } catch (error) {
    ctx.instrumentation?.refresh?.({ orgId: orgLabel, outcome: 'failed' });
    if (error instanceof SalesforceError && error.kind === 'auth') {
      await tokenStore.markReauthorizationRequired(error.message);
    }
    throw error;
  }
}
