import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError } from './errors.js';

/** BullMQ workers need `maxRetriesPerRequest: null`; short-lived commands keep ioredis's default. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** Connects and pings, failing with one clear error instead of retrying forever. */
export async function connectRedisOrFail(url: string, timeoutMs = 5_000): Promise<Redis> {
  const redis = createRedis(url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: timeoutMs });
  redis.on('error', () => undefined); // surfaced through connect() below
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new ServiceUnavailableError('redis', `${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  redis.disconnect();
  return createRedis(url);
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

export async function pingWithin(redis: Redis, timeoutMs: number): Promise<void> {
  await withTimeout(redis.ping(), timeoutMs, 'redis ping');
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
