/**
 * A short Redis lock per profile around the run claim. FerretDB evaluates a conditional update by
 * reading then writing, so two concurrent `{_id, currentRunId: null}` claims can both match; the
 * lock makes the claim one-at-a-time on every backend (MongoDB would not need it).
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis.js';
import { SeatwiseError } from '../errors.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export async function withProfileLock<T>(
  redis: RedisConnection,
  prefix: string,
  profileId: string,
  work: () => Promise<T>,
  options: { ttlMs?: number; waitMs?: number } = {},
): Promise<T> {
  const key = `${prefix}:run-claim:${profileId}`;
  const token = randomUUID();
  const ttlMs = options.ttlMs ?? 15_000;
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() > deadline) {
      throw new SeatwiseError('RUN_CLAIM_CONTENDED', 'another request is starting a run; try again', {
        profileId,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
