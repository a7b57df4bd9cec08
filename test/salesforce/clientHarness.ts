/** A real simulator, real Redis and the real client factory, wired the way a worker wires them. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Config } from '../../shared/config.js';
import type { EndpointPolicy } from '../../shared/salesforce/instanceUrl.js';
import { exchangeAuthorizationCode, authorizeUrl, pkcePair } from '../../shared/salesforce/oauth.js';
import type {
  OrgCredentials,
  OrgTokens,
  SalesforceInstrumentation,
  TokenStore,
} from '../../shared/salesforce/salesforceClient.js';
import {
  createSalesforceClients,
  type SalesforceClients,
} from '../../shared/salesforce/salesforceClients.js';
import type { SimulatorOrgInfo } from '../../simulator/server.js';
import type { TestRedis } from '../helpers/services.js';

/** The simulator listens on loopback over plain http; nothing else is reachable. */
export const LOOPBACK_ENDPOINTS: EndpointPolicy = {
  allowedHostSuffixes: [],
  insecureHttpHosts: ['127.0.0.1'],
};

export const SF_CONFIG: Config['salesforce'] = {
  apiVersion: '62.0',
  timeoutMs: 5_000,
  budgetShare: 1,
  breakerFailures: 3,
  breakerResetMs: 30_000,
  orgConcurrency: 4,
  bulkThresholdUsers: 10_000,
  // The in-process simulator runs Bulk jobs at a hundredth of real time.
  bulkPollFirstMs: 10,
  bulkPollMaxMs: 150,
  endpoints: LOOPBACK_ENDPOINTS,
};

export const silentLog = pino({ level: 'silent' });

export function clientsFor(
  redis: TestRedis,
  config: Partial<Config['salesforce']> = {},
  instrumentation?: SalesforceInstrumentation,
  /** Below the file's prefix, so the file's cleanup still removes it. */
  prefix = redis.prefix,
): SalesforceClients {
  return createSalesforceClients({
    config: { ...SF_CONFIG, ...config },
    redis: redis.redis,
    prefix,
    log: silentLog,
    ...(instrumentation ? { instrumentation } : {}),
  });
}

/**
 * An alias's stored tokens in memory, with the conditional write the worker's encrypted store
 * makes; records what the client hands to it. Share one between clients to play one alias.
 */
export class RecordingTokenStore implements TokenStore {
  saved: OrgTokens[] = [];
  refusedSaves = 0;
  reauthorizationReasons: string[] = [];

  constructor(
    public stored: OrgTokens | null = null,
    readonly key = `alias-${randomUUID()}`,
  ) {}

  current(): Promise<OrgTokens | null> {
    return Promise.resolve(this.stored);
  }

  save(tokens: OrgTokens, replacing: OrgTokens | null): Promise<boolean> {
    if (replacing && this.stored?.accessToken !== replacing.accessToken) {
      this.refusedSaves += 1;
      return Promise.resolve(false);
    }
    this.saved.push(tokens);
    this.stored = tokens;
    return Promise.resolve(true);
  }

  markReauthorizationRequired(reason: string): Promise<void> {
    this.reauthorizationReasons.push(reason);
    return Promise.resolve();
  }
}

/** Each call is an alias of its own unless `aliasId` names one. */
export function clientCredentials(org: SimulatorOrgInfo, aliasId: string = randomUUID()): OrgCredentials {
  return {
    aliasId,
    orgId: null,
    instanceUrl: org.instanceUrl,
    grantType: 'client_credentials',
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    tokens: null,
  };
}

/** Runs the web server flow against the simulator (auto-approved as the org admin). */
export async function authorizedCredentials(
  simUrl: string,
  org: SimulatorOrgInfo,
  aliasId: string = randomUUID(),
): Promise<OrgCredentials> {
  const redirectUri = 'http://127.0.0.1:9/oauth/callback';
  const pkce = pkcePair();
  const url = authorizeUrl({
    instanceUrl: simUrl,
    clientId: org.clientId,
    redirectUri,
    state: 'harness',
    codeChallenge: pkce.challenge,
    endpoints: LOOPBACK_ENDPOINTS,
  });
  const response = await fetch(url, { redirect: 'manual' });
  const code = new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const tokens = await exchangeAuthorizationCode({
    instanceUrl: simUrl,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    redirectUri,
    code,
    codeVerifier: pkce.verifier,
    endpoints: LOOPBACK_ENDPOINTS,
  });
  return {
    aliasId,
    orgId: tokens.orgId,
    instanceUrl: org.instanceUrl,
    grantType: 'authorization_code',
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    tokens,
  };
}

export async function drain<T>(
  pages: AsyncIterable<{ records: T[] }>,
): Promise<{ records: T[]; pages: number }> {
  const records: T[] = [];
  let count = 0;
  for await (const page of pages) {
    count += 1;
    records.push(...page.records);
  }
  return { records, pages: count };
}

export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}
