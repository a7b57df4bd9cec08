/**
 * The only reader of `process.env`. Every setting is parsed once with zod into a frozen,
 * grouped {@link Config}; every bad or missing value is reported at once, one line each.
 */
import { z } from 'zod';
import {
  SALESFORCE_HOST_SUFFIXES,
  insecureHostEntryProblem,
  normalizedHostSuffix,
  type EndpointPolicy,
} from './salesforce/instanceUrl.js';

export const ROLES = ['admin', 'integrator', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiTokenEntry {
  /** Who the token belongs to, for audit fields ("changed by"). */
  name: string;
  role: Role;
  /** Hex SHA-256 of the bearer token; the token itself never sits in config. */
  sha256: string;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  redis: {
    url: string;
    /**
     * Key prefix of every queue and key. With cluster nodes it is a hash tag (`{seatwise}`): BullMQ
     * needs all keys of a queue, and our flows all queues, in one slot; our multi-key scripts too.
     */
    prefix: string;
    /** Redis Cluster seed nodes; empty = one server at `url`. */
    clusterNodes: readonly { host: string; port: number }[];
  };
  mongo: { url: string };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    bodyLimit: string;
    tokens: readonly ApiTokenEntry[];
    oauthStateTtlSeconds: number;
    /** Lifetime of an admin-pages / Bull Board login (api/http/browserSession.ts). */
    sessionTtlSeconds: number;
    /** A request still unanswered after this gets 503 REQUEST_TIMEOUT (its work is not undone). */
    requestTimeoutMs: number;
    /** Redis command timeout and MongoDB server selection for the api: an outage answers 503 this fast. */
    dependencyTimeoutMs: number;
    /**
     * How long a read answer may be served again while nothing it depends on has visibly changed
     * (api/http/readCache.ts); 0 turns the cache off.
     */
    readCacheMs: number;
  };
  schedules: {
    /** How often each worker re-registers the schedulers of published profiles (after a Redis data loss). */
    reconcileIntervalMs: number;
  };
  crypto: { keys: readonly EncryptionKey[]; activeKeyId: string };
  salesforce: {
    apiVersion: string;
    timeoutMs: number;
    budgetShare: number;
    breakerFailures: number;
    breakerResetMs: number;
    orgConcurrency: number;
    bulkThresholdUsers: number;
    /** Bulk API 2.0 status calls: first wait, growing ×1.5 up to the cap (bulkPollSchedule.ts). */
    bulkPollFirstMs: number;
    bulkPollMaxMs: number;
    /** Where Salesforce calls may go: https on Salesforce's domains, plain http only to listed hosts. */
    endpoints: EndpointPolicy;
  };
  worker: {
    concurrency: number;
    shutdownTimeoutMs: number;
    metricsPort: number | null;
    /** Approved candidates per reclaim child job; a reclaim of more fans out across workers. */
    reclaimFanOutSize: number;
  };
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const redisUrl = z
  .string()
  .trim()
  .refine((v) => /^rediss?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
    message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  });

const clusterNodes = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const nodes: { host: string; port: number }[] = [];
    for (const raw of value.split(',')) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(raw.trim());
      const port = Number(match?.[2]);
      if (!match?.[1] || !(port >= 1 && port <= 65_535)) {
        ctx.addIssue({ code: 'custom', message: `each node must be host:port, got "${raw.trim()}"` });
        return [];
      }
      nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
    }
    return nodes;
  });

const mongoUrl = z
  .string()
  .trim()
  .refine((v) => /^mongodb(\+srv)?:\/\/[^\s]+$/.test(v), {
    message: 'must be a mongodb:// or mongodb+srv:// URL, e.g. mongodb://127.0.0.1:27017/seatwise',
  });

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const apiTokens = z
  .string()
  .trim()
  .transform((value, ctx): ApiTokenEntry[] => {
    if (value === '') return [];
    const entries: ApiTokenEntry[] = [];
    for (const raw of value.split(',')) {
      const [name, role, sha256, ...rest] = raw.trim().split(':');
      if (!name || !role || !sha256 || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: `entry "${raw.trim()}" is not name:role:sha256hex` });
        continue;
      }
      if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry "${name}" has unknown role "${role}" (${ROLES.join(', ')})`,
        });
        continue;
      }
      if (!/^[0-9a-f]{64}$/.test(sha256)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry "${name}" needs a 64-character lowercase hex SHA-256`,
        });
        continue;
      }
      entries.push({ name, role: role as Role, sha256 });
    }
    return entries;
  });

const encryptionKeys = z
  .string({ error: 'is required: id:base64 of 32 random bytes (generate one with `npm run -s keygen`)' })
  .trim()
  .transform((value, ctx): EncryptionKey[] => {
    const keys: EncryptionKey[] = [];
    for (const raw of value.split(',')) {
      const [id, b64, ...rest] = raw.trim().split(':');
      const key = b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || rest.length > 0 || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'each key must be id:base64 of exactly 32 bytes' });
        return [];
      }
      keys.push({ id, key });
    }
    if (new Set(keys.map((k) => k.id)).size !== keys.length) {
      ctx.addIssue({ code: 'custom', message: 'key ids must be unique' });
    }
    return keys;
  });

/** `salesforce.com,force.com`: a host must be a subdomain of one of them. */
const hostSuffixes = z
  .string()
  .trim()
  .transform((value, ctx): string[] => {
    const suffixes: string[] = [];
    for (const raw of value.split(',')) {
      const suffix = normalizedHostSuffix(raw);
      if (suffix === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${raw.trim()}" is not a domain like salesforce.com or *.my.salesforce.com`,
        });
      } else suffixes.push(suffix);
    }
    if (suffixes.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one domain' });
    return suffixes;
  });

/** `127.0.0.1,simulator:8090`: hosts (any port) or host:port pairs that may be called over plain http. */
const insecureHosts = z
  .string()
  .trim()
  .transform((value, ctx): string[] => {
    const hosts: string[] = [];
    for (const raw of value.split(',')) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const problem = insecureHostEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: `"${entry}" ${problem}` });
      else hosts.push(entry);
    }
    return hosts;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only')
    .default('seatwise'),
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  MONGO_URL: mongoUrl.default('mongodb://127.0.0.1:27017/seatwise'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).default(8080),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'like 100kb or 1mb')
    .default('100kb'),
  API_TOKENS: apiTokens.default([]),
  OAUTH_STATE_TTL_SECONDS: intIn(30, 3600).default(600),
  ADMIN_SESSION_TTL_SECONDS: intIn(60, 7 * 24 * 3600).default(8 * 3600),
  API_REQUEST_TIMEOUT_MS: intIn(500, 600_000).default(15_000),
  API_DEPENDENCY_TIMEOUT_MS: intIn(100, 30_000).default(1_500),
  API_READ_CACHE_MS: intIn(0, 10_000).default(1_000),
  SCHEDULE_RECONCILE_INTERVAL_MS: intIn(1_000, 86_400_000).default(300_000),
  ENCRYPTION_KEYS: encryptionKeys,
  SF_API_VERSION: z
    .string()
    .regex(/^\d{2}\.0$/, 'like 62.0')
    .default('62.0'),
  SF_TIMEOUT_MS: intIn(100, 600_000).default(30_000),
  SF_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  SF_BREAKER_FAILURES: intIn(1, 1000).default(5),
  SF_BREAKER_RESET_MS: intIn(100, 3_600_000).default(30_000),
  SF_ORG_CONCURRENCY: intIn(1, 25).default(4),
  SF_BULK_THRESHOLD_USERS: intIn(0, 100_000_000).default(10_000),
  SF_BULK_POLL_FIRST_MS: intIn(1, 60_000).default(1_000),
  SF_BULK_POLL_MAX_MS: intIn(1, 300_000).default(15_000),
  SF_ALLOWED_HOST_SUFFIXES: hostSuffixes.default([...SALESFORCE_HOST_SUFFIXES]),
  SF_INSECURE_HTTP_HOSTS: insecureHosts.default([]),
  WORKER_CONCURRENCY: intIn(1, 256).default(8),
  SHUTDOWN_TIMEOUT_MS: intIn(0, 600_000).default(30_000),
  WORKER_METRICS_PORT: intIn(0, 65535).optional(),
  RECLAIM_FAN_OUT_SIZE: intIn(200, 100_000).default(1_000),
});

type EnvSource = Readonly<Record<string, string | undefined>>;

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    return `${key}: ${issue.message}`;
  });
}

function withoutEmpty(source: EnvSource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Parses the given environment (default: this process's) into a frozen Config, or throws ConfigError. */
export function loadConfig(source: EnvSource = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmpty(source));
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  const e = parsed.data;
  const [active] = e.ENCRYPTION_KEYS;
  if (!active) throw new ConfigError(['ENCRYPTION_KEYS: at least one key is required']);
  if (e.NODE_ENV === 'production' && e.SF_INSECURE_HTTP_HOSTS.length > 0) {
    // Tokens and the client secret travel in every Salesforce call: never in clear text in production.
    throw new ConfigError([
      'SF_INSECURE_HTTP_HOSTS: must be empty when NODE_ENV=production (plain http is for tests and local simulators)',
    ]);
  }
  const config: Config = {
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL },
    redis: {
      url: e.REDIS_URL,
      prefix: e.REDIS_CLUSTER_NODES ? `{${e.REDIS_PREFIX}}` : e.REDIS_PREFIX,
      clusterNodes: e.REDIS_CLUSTER_NODES ?? [],
    },
    mongo: { url: e.MONGO_URL },
    api: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, ''),
      bodyLimit: e.API_BODY_LIMIT,
      tokens: e.API_TOKENS,
      oauthStateTtlSeconds: e.OAUTH_STATE_TTL_SECONDS,
      sessionTtlSeconds: e.ADMIN_SESSION_TTL_SECONDS,
      requestTimeoutMs: e.API_REQUEST_TIMEOUT_MS,
      dependencyTimeoutMs: e.API_DEPENDENCY_TIMEOUT_MS,
      readCacheMs: e.API_READ_CACHE_MS,
    },
    schedules: { reconcileIntervalMs: e.SCHEDULE_RECONCILE_INTERVAL_MS },
    crypto: { keys: e.ENCRYPTION_KEYS, activeKeyId: active.id },
    salesforce: {
      apiVersion: e.SF_API_VERSION,
      timeoutMs: e.SF_TIMEOUT_MS,
      budgetShare: e.SF_BUDGET_SHARE,
      breakerFailures: e.SF_BREAKER_FAILURES,
      breakerResetMs: e.SF_BREAKER_RESET_MS,
      orgConcurrency: e.SF_ORG_CONCURRENCY,
      bulkThresholdUsers: e.SF_BULK_THRESHOLD_USERS,
      bulkPollFirstMs: e.SF_BULK_POLL_FIRST_MS,
      bulkPollMaxMs: Math.max(e.SF_BULK_POLL_MAX_MS, e.SF_BULK_POLL_FIRST_MS),
      endpoints: {
        allowedHostSuffixes: e.SF_ALLOWED_HOST_SUFFIXES,
        insecureHttpHosts: e.SF_INSECURE_HTTP_HOSTS,
      },
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      metricsPort: e.WORKER_METRICS_PORT ?? null,
      reclaimFanOutSize: e.RECLAIM_FAN_OUT_SIZE,
    },
  };
  return deepFreeze(config);
}

/** Which FerretDB storage tests, the demo and the benchmark use when they start FerretDB themselves. */
export const FERRETDB_HANDLERS = ['auto', 'postgresql', 'sqlite'] as const;
export type FerretdbHandlerSetting = (typeof FERRETDB_HANDLERS)[number];

/** Where `auto` looks for a PostgreSQL server first (Debian's cluster with trust on loopback). */
export const DEFAULT_FERRETDB_POSTGRESQL_URL = 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable';

/**
 * Service locations for tests, the demo and the benchmark: only what they may override.
 * An unset value means "provision it locally" (FerretDB) or "use the machine's default" (Redis).
 */
export interface ServiceEnv {
  mongoUrl: string | undefined;
  redisUrl: string;
  /** `auto`: PostgreSQL when a server answers or a private one can be started, else SQLite. */
  ferretdbHandler: FerretdbHandlerSetting;
  /** A server FerretDB's own databases are created on; unset: the default URL, then a private cluster. */
  ferretdbPostgresUrl: string | undefined;
  ci: boolean;
}

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]*$/.test(v) && URL.canParse(v), {
    message:
      'must be a postgres:// URL naming a database to connect to, e.g. postgres://postgres@127.0.0.1:5432/postgres',
  });

/**
 * FerretDB reads FERRETDB_* itself, so ours carry a SEATWISE_ prefix and the FerretDB we start never
 * sees a second, conflicting setting. The old unprefixed names are refused rather than ignored.
 */
const ferretdbOwn = (ours: string) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined, { message: `is read by FerretDB itself; seatwise reads ${ours}` });

const serviceEnvSchema = z.object({
  MONGO_URL: mongoUrl.optional(),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  SEATWISE_FERRETDB_HANDLER: z.enum(FERRETDB_HANDLERS).default('auto'),
  SEATWISE_FERRETDB_POSTGRESQL_URL: postgresUrl.optional(),
  FERRETDB_HANDLER: ferretdbOwn('SEATWISE_FERRETDB_HANDLER'),
  FERRETDB_POSTGRESQL_URL: ferretdbOwn('SEATWISE_FERRETDB_POSTGRESQL_URL'),
  CI: boolFlag.or(z.string().transform(() => true)).default(false),
});

export function loadServiceEnv(source: EnvSource = process.env): ServiceEnv {
  const parsed = serviceEnvSchema.safeParse(withoutEmpty(source));
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  const e = parsed.data;
  return {
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    ferretdbHandler: e.SEATWISE_FERRETDB_HANDLER,
    ferretdbPostgresUrl: e.SEATWISE_FERRETDB_POSTGRESQL_URL,
    ci: e.CI,
  };
}

/** The environment a child process of ours should inherit, plus overrides (tests, demo, bench). */
export function childEnv(overrides: Record<string, string>): Record<string, string> {
  return { ...withoutEmpty(process.env), ...overrides };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
