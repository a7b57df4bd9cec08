/**
 * Change counters the api's read cache (api/http/readCache.ts) keys its answers on. Whoever changes
 * what a read endpoint shows moves them: the api after every accepted write, a worker when a job
 * starts and when it ends. A cached answer is served again only while its counters are unchanged,
 * so a finished job or an approval shows at once in every api process; progress written inside a
 * running job shows within the cache's time limit.
 *
 * Counters: one for everything (alias changes and other writes that belong to no profile), one for
 * the profiles list, one per profile (anything about it may have changed), and one per profile and
 * topic, so that a job moves only what it wrote: a download does not evict the candidates pages.
 */
import type { RedisConnection } from '../redis.js';

/** What a cached read shows; `profile` is the profile document itself. */
export const READ_TOPICS = [
  'profile',
  'runs',
  'candidates',
  'downloads',
  'consumption',
  'audit',
  'savings',
] as const;
export type ReadTopic = (typeof READ_TOPICS)[number];

export type ReadScope = { profileId: string; topic: ReadTopic } | 'list';

const keyOf = (prefix: string, name: string) => `${prefix}:readgen:${name}`;

/**
 * `profileId` null: a change that may touch any profile's reads. Without `topics`: anything about
 * the profile (and so the profiles list) may have changed.
 */
export async function bumpReadGeneration(
  redis: RedisConnection,
  prefix: string,
  profileId: string | null,
  topics?: readonly ReadTopic[],
): Promise<void> {
  const names =
    profileId === null
      ? ['all']
      : topics
        ? [
            ...topics.map((t) => `profile:${profileId}:${t}`),
            // The profiles list shows the profile documents.
            ...(topics.includes('profile') ? ['list'] : []),
          ]
        : [`profile:${profileId}`, 'list'];
  // Separate commands, not MULTI: under a Redis Cluster the keys share the prefix's hash tag anyway,
  // and a half-done bump only costs one extra cache miss.
  await Promise.all(names.map((name) => redis.incr(keyOf(prefix, name))));
}

/** The counters a read in `scope` depends on, as one opaque string. */
export async function readGeneration(
  redis: RedisConnection,
  prefix: string,
  scope: ReadScope,
): Promise<string> {
  const own =
    scope === 'list' ? ['list'] : [`profile:${scope.profileId}`, `profile:${scope.profileId}:${scope.topic}`];
  const values = await redis.mget(keyOf(prefix, 'all'), ...own.map((name) => keyOf(prefix, name)));
  return values.map((v) => v ?? 0).join('.');
}
