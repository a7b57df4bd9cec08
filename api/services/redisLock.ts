/**
 * A short lock in Redis around a read-compare-write that must not interleave across api requests.
 * FerretDB runs a conditional update as read-then-write, so two concurrent conditional updates can
 * both match there (seen for alias claims, rule revisions, candidate decisions and stops); on
 * MongoDB the update alone would do. The lock is renewed while the work runs and expires soon after
 * a crashed holder; only the holder's own token renews or releases it.
 */
import { Types } from 'mongoose';
import { conflict } from '../http/schemas.js';
import type { ApiServices } from './apiServices.js';

const RELEASE_IF_OURS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW_IF_OURS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

const TTL_MS = 10_000;

export interface LockOptions {
  /** How long to wait for another holder before answering 409 CONCURRENT_CHANGE. */
  waitMs?: number;
}

export async function withRedisLock<T>(
  s: ApiServices,
  name: string,
  busy: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = `${s.config.redis.prefix}:${name}`;
  const token = new Types.ObjectId().toHexString();
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  while ((await s.redis.set(key, token, 'PX', TTL_MS, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw conflict('CONCURRENT_CHANGE', busy);
    await new Promise((r) => setTimeout(r, 15));
  }
  const renew = setInterval(() => {
    s.redis.eval(RENEW_IF_OURS, 1, key, token, TTL_MS).catch(() => undefined);
  }, TTL_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await s.redis.eval(RELEASE_IF_OURS, 1, key, token);
  }
}
