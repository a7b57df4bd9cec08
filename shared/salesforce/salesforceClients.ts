/**
 * The one place per process that creates Salesforce org clients. It keeps, per org, the breaker,
 * the latest tokens and the shared-state handles, so `forOrg` (called per job) stays cheap.
 */
import type { RedisConnection } from '../redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { HttpOrgClient, type ClientContext } from './httpOrgClient.js';
import { OrgRedisState } from './orgRedisState.js';
import { OrgRuntime } from './orgRuntime.js';
import { createRefreshLock } from './refreshLock.js';
import type {
  OrgCredentials,
  OrgTokens,
  SalesforceInstrumentation,
  SalesforceOrgClient,
  TokenStore,
} from './salesforceClient.js';

export interface SalesforceClientsDeps {
  config: Config['salesforce'];
  redis: RedisConnection;
  /** Redis key prefix; org state lives under `${prefix}:sf:<orgId>:…`. */
  prefix: string;
  log: Logger;
  instrumentation?: SalesforceInstrumentation;
}

export interface SalesforceClients {
  forOrg(credentials: OrgCredentials, tokenStore: TokenStore): SalesforceOrgClient;
  close(): Promise<void>;
}

export function createSalesforceClients(deps: SalesforceClientsDeps): SalesforceClients {
  const runtimes = new Map<string, OrgRuntime>();
  const grants = new Map<string, Promise<OrgTokens>>();
  const log = deps.log.child({ component: 'salesforce' });

  const ctx: ClientContext = {
    config: deps.config,
    log,
    instrumentation: deps.instrumentation,
    runtimeFor(orgId) {
      let runtime = runtimes.get(orgId);
      if (!runtime) {
        runtime = new OrgRuntime(
          orgId,
          new OrgRedisState(deps.redis, deps.prefix, orgId),
          { failures: deps.config.breakerFailures, resetMs: deps.config.breakerResetMs },
          log,
          deps.instrumentation,
        );
        runtimes.set(orgId, runtime);
      }
      return runtime;
    },
    // Long enough for a refresh and its back-off, so waiters adopt its result instead of failing.
    refreshLock: createRefreshLock(deps.redis, deps.prefix, deps.config.timeoutMs * 2 + 5_000),
    grantOnce(key, grant) {
      let pending = grants.get(key);
      if (!pending) {
        pending = grant().finally(() => grants.delete(key));
        grants.set(key, pending);
      }
      return pending;
    },
  };

  return {
    forOrg: (credentials, tokenStore) => new HttpOrgClient(credentials, tokenStore, ctx),
    close() {
      for (const runtime of runtimes.values()) runtime.shutdown();
      runtimes.clear();
      return Promise.resolve();
    },
  };
}
