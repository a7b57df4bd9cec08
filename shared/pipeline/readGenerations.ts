/**
 * Change counters the api's read cache (api/http/readCache.ts) keys its answers on. Whoever changes
 * what a read endpoint shows moves them: the api after every accepted write, a worker when a job
 * starts and when it ends.
 *
 * Hard changes (a person's write through any api process) make the next read of what they touch
 * wait for a fresh answer: a person sees their own approval at once. Soft changes (a job starting
 * or ending, a run's end) let the next read get the previous answer once more, never older than
 * the cache's time limit, while a fresh one is fetched behind it: dashboards polling during a sync
 * never queue behind the database.
 *
 * Counters: one for everything (alias changes, new profiles), and per profile one for anything
 * about it and one per topic, so that a job moves only what it wrote (a download does not evict
 * the candidates pages); the profiles list has its own.
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

export interface ReadChange {
  /** null: a change that may touch any profile's reads (an alias, a new profile). */
  profileId: string | null;
  /** What of the profile changed; absent: anything about it (and so the profiles list). */
  topics?: readonly ReadTopic[];
  /**
   * Hard: the next read of anything it touches waits for a fresh answer (a person's write). Soft:
   * the next read may still get the previous answer, at most the cache's time limit old, while a
   * fresh one is fetched behind it (the workers' progress).
   */
  hard: boolean;
}

function counterNames(change: ReadChange): string[] {
  if (change.profileId === null) return ['hard:all'];
  const kind = change.hard ? 'hard' : 'soft';
  if (!change.topics) return [`${kind}:profile:${change.profileId}`, `${kind}:list`];
  return [
    ...change.topics.map((t) => `${kind}:profile:${change.profileId}:${t}`),
    // The profiles list shows the profile documents.
    ...(change.topics.includes('profile') ? [`${kind}:list`] : []),
  ];
}

export async function noteReadChange(
  redis: RedisConnection,
  prefix: string,
  change: ReadChange,
): Promise<void> {
  // Separate commands, not MULTI: under a Redis Cluster the keys share the prefix's hash tag anyway,
  // and a half-done bump only costs one extra cache miss.
  await Promise.all(counterNames(change).map((name) => redis.incr(keyOf(prefix, name))));
}

export interface ReadGeneration {
  hard: string;
  soft: string;
}

/** The counters a read in `scope` depends on, as two opaque strings. */
export async function readGeneration(
  redis: RedisConnection,
  prefix: string,
  scope: ReadScope,
): Promise<ReadGeneration> {
  const own = (kind: 'hard' | 'soft') =>
    scope === 'list'
      ? [`${kind}:list`]
      : [`${kind}:profile:${scope.profileId}`, `${kind}:profile:${scope.profileId}:${scope.topic}`];
  const hardNames = ['hard:all', ...own('hard')];
  const softNames = own('soft');
  const values = await redis.mget(...[...hardNames, ...softNames].map((name) => keyOf(prefix, name)));
  const text = (from: number, to: number) =>
    values
      .slice(from, to)
      .map((v) => v ?? 0)
      .join('.');
  return { hard: text(0, hardNames.length), soft: text(hardNames.length, values.length) };
}
