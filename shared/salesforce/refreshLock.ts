/**
 * One token refresh at a time per alias across every process. Salesforce refuses a second refresh
 * of a refresh token while the first is in flight, and with refresh-token rotation a refresh that
 * sends an already rotated token revokes the whole grant: so the refresh happens under a Redis lock
 * and the holder re-reads the stored tokens first (another process may have refreshed already).
 *
 * The lock expires soon after a crashed holder (TTL, renewed while the work runs); only the
 * holder's own token renews or releases it.
 * One key per script call, so it runs on a Redis Cluster as well.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis.js';
import { SalesforceError } from './salesforceError.js';

const RELEASE_IF_OURS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW_IF_OURS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

const TTL_MS = 15_000;
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

export interface RefreshLock {
  /** Runs `work` holding `key`'s lock; waits for another holder at most `waitMs`. */
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function createRefreshLock(redis: RedisConnection, prefix: string, waitMs: number): RefreshLock {
  return {
    async withLock(key, work) {
      const redisKey = `${prefix}:sf-refresh:${key}`;
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      let delay = FIRST_POLL_MS;
      while ((await redis.set(redisKey, token, 'PX', TTL_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) {
          throw new SalesforceError(
            `Another process has been refreshing this alias's Salesforce tokens for over ${waitMs} ms`,
            { kind: 'retryable', errorCode: 'REFRESH_LOCK_TIMEOUT', status: null, orgId: null },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
      const renew = setInterval(() => {
        // A lapse here only shortens the lock; the holder's conditional write still fences it.
        redis.eval(RENEW_IF_OURS, 1, redisKey, token, TTL_MS).catch(() => undefined);
      }, TTL_MS / 3);
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE_IF_OURS, 1, redisKey, token).catch(() => undefined);
      }
    },
  };
}
