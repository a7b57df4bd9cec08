/** The simulator's public contract (re-exported by server.ts). */
import type { CallLog } from './admin/callLog.js';
import type { BulkTiming } from './bulk/bulkTiming.js';
import type { FaultSpec, FaultView } from './admin/faults.js';
import type { ApiUsageView } from './org/limits.js';
import type { OrgTruth, UserState } from './org/orgTruth.js';

export interface LatencyOptions {
  perCallMs: number;
  perRecordMs: number;
  /** Per CSV row of Bulk API results; default perRecordMs / 20 (bulk is far cheaper per row). */
  bulkPerRecordMs?: number;
}

/** What the org's connected app (External Client App) enforces in OAuth; see simulator/README.md. */
export interface OAuthPolicy {
  /** Web-server flow: an authorize request without `code_challenge` is refused. Default true. */
  pkceRequired: boolean;
  /**
   * Every refresh answers a new refresh token and retires the one presented; presenting a retired
   * one again revokes the whole grant (every refresh and access token descended from it). Default true.
   */
  refreshTokenRotation: boolean;
  /** A refresh presenting a refresh token whose earlier refresh is still in flight is refused. Default true. */
  refuseConcurrentRefresh: boolean;
  /**
   * Web-server flow: a browser's authorize request (GET) gets a login and consent page, and only its
   * Allow (a POST back to authorize) redirects with a code. Default false: authorize redirects at once,
   * as Salesforce does for a user already logged in who approved the app before.
   */
  consentPage: boolean;
}

export interface SimulatorOrgOptions {
  users: number;
  seed?: number;
  latency?: LatencyOptions;
  dailyApiLimit?: number;
  maxConcurrent?: number;
  clientCredentialsUser?: boolean;
  edition?: 'Enterprise' | 'Unlimited' | 'Developer';
  /** Registered callback; loopback `/oauth/callback` URIs on any port are accepted as well. */
  redirectUri?: string;
  /** false = the org lacks TenantUsageEntitlement (queries get INVALID_TYPE). Default true. */
  tenantUsageEntitlement?: boolean;
  /** Fixed "now" for this org's record dates; default SimulatorOptions.now or server start. */
  now?: Date;
  /**
   * Bulk API 2.0 job timing (bulk/bulkTiming.ts): realistic durations times `timeScale`, which
   * defaults to 0.01 in process (tests); the CLI and the benchmark pass 1.
   */
  bulkTiming?: Partial<BulkTiming>;
  /** Default: everything on (PKCE required, rotation, concurrent refresh refused). */
  oauth?: Partial<OAuthPolicy>;
}

export interface SimulatorOptions {
  /** The generic login host and the admin API; 0 = a free port. */
  port?: number;
  /** Org i's instance listens on `orgPortBase + i`; absent or 0 = a free port per org. */
  orgPortBase?: number;
  host?: string;
  /** The host in the login and instance URLs it hands out; default: the listening host (loopback for 0.0.0.0). */
  publicHost?: string;
  seed?: number;
  orgs: SimulatorOrgOptions[];
  accessTokenTtlSeconds?: number;
  now?: Date;
  quiet?: boolean;
}

export interface SimulatorOrgInfo {
  orgId: string;
  instanceUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  adminUsername: string;
  adminUserId: string;
  users: number;
}

export interface SimulatorAdmin {
  orgs(): SimulatorOrgInfo[];
  truth(orgId: string): OrgTruth;
  user(orgId: string, userId: string): UserState | undefined;
  addFault(spec: FaultSpec): string;
  faults(orgId?: string): FaultView[];
  clearFaults(orgId?: string): void;
  revokeRefreshTokens(orgId: string): number;
  expireAccessTokens(orgId: string): number;
  setAccessTokenTtl(seconds: number): void;
  apiUsage(orgId: string): ApiUsageView;
  setApiUsage(orgId: string, usage: { used?: number; max?: number }): ApiUsageView;
  resetApiUsage(orgId: string): ApiUsageView;
  setLatency(orgId: string, latency: Partial<LatencyOptions>): void;
  setMaxConcurrent(orgId: string, max: number): void;
  oauthPolicy(orgId: string): OAuthPolicy;
  /** Switches PKCE, refresh-token rotation and the concurrent-refresh refusal for one org. */
  setOAuthPolicy(orgId: string, policy: Partial<OAuthPolicy>): OAuthPolicy;
  /** Moves the expiry clock (tokens, codes, locators, bulk jobs) forward; record dates stay put. */
  advanceClock(ms: number): void;
  /** The user logs in (LastLoginDate moves); refused for inactive and frozen users. */
  logIn(orgId: string, userId: string, at?: Date): void;
}

export interface RunningSimulator {
  url: string;
  orgs: SimulatorOrgInfo[];
  callLog: CallLog;
  admin: SimulatorAdmin;
  stop(): Promise<void>;
}
