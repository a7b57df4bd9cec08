/**
 * Change counters the api's read cache (api/http/readCache.ts) keys its answers on. Whoever changes
 * what a read endpoint shows bumps them: the api after every accepted write, a worker when a job
 * starts and when it ends. A cached answer is served again only while its counters are unchanged,
 * so a finished job or an approval shows at once in every api process; progress written inside a
 * running job shows within the cache's time limit.
 *
 * Three counters: one per profile (its results, runs, audit), one for the profiles list, and one
 * for everything (alias changes and other writes that belong to no single profile).
 */
import type { RedisConnection } from '../redis.js';

export type ReadScope = { profileId: string } | 'list';

const keyOf = (prefix: string, name: string) => `${prefix}:readgen:${name}`;

/** `profileId` null: a change that may touch any profile's reads. */
export async function bumpReadGeneration(
  redis: RedisConnection,
  prefix: string,
  profileId: string | null,
): Promise<void> {
  if (profileId === null) {
    await redis.incr(keyOf(prefix, 'all'));
    return;
  }
  // Separate commands, not MULTI: under a Redis Cluster the keys share the prefix's hash tag anyway,
  // and a half-done bump only costs one extra cache miss.
  await Promise.all([redis.incr(keyOf(prefix, `profile:${profileId}`)), redis.incr(keyOf(prefix, 'list'))]);
}

/** The counters a read in `scope` depends on, as one opaque string. */
export async function readGeneration(
  redis: RedisConnection,
  prefix: string,
  scope: ReadScope,
): Promise<string> {
  const own = scope === 'list' ? 'list' : `profile:${scope.profileId}`;
  const [all, mine] = await redis.mget(keyOf(prefix, 'all'), keyOf(prefix, own));
  return `${all ?? 0}.${mine ?? 0}`;
}
