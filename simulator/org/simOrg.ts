/** One simulated org at run time: generated data, its tables and the per-org services. */
import { BulkJobStore } from '../bulk/bulkJobs.js';
import { bulkTimingOf, DEFAULT_IN_PROCESS_TIME_SCALE } from '../bulk/bulkTiming.js';
import { PLATFORM_LICENSE, SALESFORCE_LICENSE } from './licenseCatalog.js';
import { ApiLimits, defaultDailyApiLimit } from './limits.js';
import type { OrgData } from './orgGenerator.js';
import { generateOrg } from './orgGenerator.js';
import { QueryLocatorStore } from '../soql/queryLocators.js';
import { encodeBase62, KEY_PREFIXES, makeId } from './salesforceIds.js';
import { hash32 } from './seededRandom.js';
import type { TableRegistry } from '../sobjects/sobjectSchema.js';
import { buildTables, username } from '../sobjects/sobjectTables.js';
import type {
  LatencyOptions,
  OAuthPolicy,
  SimulatorOrgInfo,
  SimulatorOrgOptions,
} from '../simulatorTypes.js';

export const ADMIN_USER_INDEX = 0;
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1/oauth/callback';
const DEFAULT_MAX_CONCURRENT = 25;
const MIN_USERS = 10;
const MAX_USERS = 1_000_000;

export interface SimOrg {
  index: number;
  orgId: string;
  data: OrgData;
  tables: TableRegistry;
  limits: ApiLimits;
  latency: Required<LatencyOptions>;
  locators: QueryLocatorStore;
  bulkJobs: BulkJobStore;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  clientCredentialsUser: boolean;
  adminUserId: string;
  adminUsername: string;
  /** What its connected app enforces; switchable per org through the admin API. */
  oauthPolicy: OAuthPolicy;
  info(urls: { loginUrl: string; instanceUrl: string }): SimulatorOrgInfo;
}

/**
 * What a new External Client App enforces today: PKCE on the web-server flow, refresh-token
 * rotation, and one refresh at a time per refresh token.
 */
export const DEFAULT_OAUTH_POLICY: OAuthPolicy = {
  pkceRequired: true,
  refreshTokenRotation: true,
  refuseConcurrentRefresh: true,
  consentPage: false,
};

function hashedChars(seed: number, index: number, salt: number, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i += 1) out += encodeBase62(hash32(seed, index, salt + i), 6);
  return out.slice(0, length);
}

function latencyOf(options: LatencyOptions | undefined): Required<LatencyOptions> {
  const perCallMs = options?.perCallMs ?? 0;
  const perRecordMs = options?.perRecordMs ?? 0;
  return { perCallMs, perRecordMs, bulkPerRecordMs: options?.bulkPerRecordMs ?? perRecordMs / 20 };
}

export interface CreateOrgInput {
  index: number;
  serverSeed: number;
  options: SimulatorOrgOptions;
  nowMs: number;
  clock: () => number;
}

export function createSimOrg({ index, serverSeed, options, nowMs, clock }: CreateOrgInput): SimOrg {
  if (!Number.isInteger(options.users) || options.users < MIN_USERS || options.users > MAX_USERS) {
    throw new RangeError(`users must be an integer from ${MIN_USERS} to ${MAX_USERS}, got ${options.users}`);
  }
  const seed = options.seed ?? hash32(serverSeed, index, 7) % 1_000_000;
  const data = generateOrg({
    seed,
    orgIndex: index,
    users: options.users,
    nowMs: options.now?.getTime() ?? nowMs,
  });
  const fullLicenses =
    (data.licenseTotals[SALESFORCE_LICENSE] ?? 0) + (data.licenseTotals[PLATFORM_LICENSE] ?? 0);
  const dailyLimit =
    options.dailyApiLimit ?? defaultDailyApiLimit(options.edition ?? 'Enterprise', fullLicenses);
  const maxConcurrent =
    options.maxConcurrent ?? (options.edition === 'Developer' ? 5 : DEFAULT_MAX_CONCURRENT);
  const org: Omit<SimOrg, 'info'> = {
    index,
    orgId: data.orgId,
    data,
    tables: buildTables(data, { tenantUsageEntitlement: options.tenantUsageEntitlement ?? true }),
    limits: new ApiLimits(dailyLimit, maxConcurrent),
    latency: latencyOf(options.latency),
    locators: new QueryLocatorStore(data.idSpace, clock),
    bulkJobs: new BulkJobStore(
      data.idSpace,
      clock,
      bulkTimingOf(options.bulkTiming, DEFAULT_IN_PROCESS_TIME_SCALE),
    ),
    clientId: `3MVG9${hashedChars(seed, index, 1000, 80)}`,
    clientSecret: hashedChars(seed, index, 2000, 64).toUpperCase(),
    redirectUri: options.redirectUri ?? DEFAULT_REDIRECT_URI,
    clientCredentialsUser: options.clientCredentialsUser ?? true,
    adminUserId: makeId(KEY_PREFIXES.User, data.idSpace, ADMIN_USER_INDEX + 1),
    adminUsername: username(data, ADMIN_USER_INDEX),
    oauthPolicy: { ...DEFAULT_OAUTH_POLICY, ...options.oauth },
  };
  return {
    ...org,
    info: ({ loginUrl, instanceUrl }) => ({
      orgId: org.orgId,
      instanceUrl,
      loginUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      redirectUri: org.redirectUri,
      adminUsername: org.adminUsername,
      adminUserId: org.adminUserId,
      users: data.userCount,
    }),
  };
}
