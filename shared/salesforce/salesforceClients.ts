/**
 * The one place per process that creates Salesforce org clients. It keeps, per org, the breaker
 * and the shared-state handles, and per alias its tokens and single-flight refresh, so `forOrg`
 * (called per job) stays cheap.
 */
import type { RedisConnection } from '../redis.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AliasSession } from './aliasSession.js';
import { HttpOrgClient, type ClientContext } from './httpOrgClient.js';
import { OrgRedisState } from './orgRedisState.js';
import { OrgRuntime } from './orgRuntime.js';
import { createRefreshLock } from './refreshLock.js';
import type {
  OrgCredentials,
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
  const sessions = new Map<string, AliasSession>();
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
    sessionFor(aliasId) {
      let session = sessions.get(aliasId);
      if (!session) {
        session = new AliasSession(aliasId);
        sessions.set(aliasId, session);
      }
      return session;
    },
  };

  return {
    forOrg: (credentials, tokenStore) => new HttpOrgClient(credentials, tokenStore, ctx),
    close() {
      for (const runtime of runtimes.values()) runtime.shutdown();
      runtimes.clear();
      sessions.clear();
      return Promise.resolve();
    },
  };
}
