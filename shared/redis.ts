import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';
import { ServiceUnavailableError } from './errors.js';
import type { Logger } from './logger.js';

/** One Redis server or a Redis Cluster: BullMQ and every key of ours work through either. */
export type RedisConnection = Redis | Cluster;

export type RedisSettings = Pick<Config['redis'], 'url' | 'clusterNodes'>;

/** BullMQ workers need `maxRetriesPerRequest: null`; short-lived commands keep ioredis's default. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/**
 * The api's connection options: a command fails at once while Redis is unreachable (no offline
 * queue, no retry of a command cut off mid-flight) and after `commandTimeoutMs` when Redis does not
 * answer, so a request answers 503 instead of hanging until Redis is back. The connection itself
 * keeps reconnecting. Not for BullMQ Workers (they need `maxRetriesPerRequest: null`); Queues are fine.
 */
export function failFastOptions(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1_000),
    retryStrategy: (times) => Math.min(100 * times, 1_000),
  };
}

/** One server with {@link failFastOptions}. */
export function createFailFastRedis(url: string, commandTimeoutMs: number): Redis {
  return createRedis(url, failFastOptions(commandTimeoutMs));
}

/**
 * A Cluster when seed nodes are configured (credentials and TLS come from the URL), else one
 * server. Keys that must share a slot carry the prefix's hash tag (config.ts wraps it in braces).
 */
export function createRedisConnection(settings: RedisSettings, options: RedisOptions = {}): RedisConnection {
  if (settings.clusterNodes.length === 0) return createRedis(settings.url, options);
  const url = new URL(settings.url);
  return new Cluster([...settings.clusterNodes], {
    enableReadyCheck: true,
    ...(options.lazyConnect ? { lazyConnect: true } : {}),
    ...(options.retryStrategy ? { clusterRetryStrategy: () => null } : {}),
    redisOptions: {
      maxRetriesPerRequest: null,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      ...options,
    },
  });
}

/** Connects and pings, failing with one clear error instead of retrying forever. */
export async function connectRedisOrFail(
  settings: RedisSettings | string,
  timeoutMs = 5_000,
  options: RedisOptions = {},
): Promise<RedisConnection> {
  const resolved = typeof settings === 'string' ? { url: settings, clusterNodes: [] } : settings;
  const redis = createRedisConnection(resolved, {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  redis.on('error', () => undefined); // surfaced through connect() below
  try {
    await withTimeout(redis.connect(), timeoutMs, 'redis connect');
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new ServiceUnavailableError('redis', `${describeRedis(resolved)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  redis.disconnect();
  return createRedisConnection(resolved, options);
}

/** Where Redis is, password hidden, for logs and error messages. */
export function describeRedis(settings: RedisSettings): string {
  if (settings.clusterNodes.length === 0) return redactUrl(settings.url);
  return `cluster ${settings.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
}

/** Resolves once the connection can take commands (a fail-fast one refuses them until then). */
export async function untilReady(redis: RedisConnection, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await withTimeout(
    new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    timeoutMs,
    'redis connection',
  );
}

/**
 * One line when the connection drops and one when it is back; the errors of each reconnect attempt
 * are not logged (every request refused meanwhile says so as a 503 warning).
 */
export function watchRedisConnection(redis: RedisConnection, log: Pick<Logger, 'warn' | 'info'>): void {
  let lost = false;
  redis.on('error', () => undefined);
  redis.on('close', () => {
    if (lost) return;
    lost = true;
    log.warn('redis connection lost; reconnecting');
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info('redis connection back');
  });
}

/** A URL with its password hidden, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

export async function pingWithin(redis: RedisConnection, timeoutMs: number): Promise<void> {
  await withTimeout(redis.ping(), timeoutMs, 'redis ping');
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
