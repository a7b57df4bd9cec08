/**
 * Answers of the read endpoints, kept in this process for a short while. Why: on FerretDB every
 * page read decodes each document it filters (about 0.15 ms a document), so a dashboard polling a
 * few pages of a big profile would take the database's whole CPU from the workers. The same page
 * asked again is answered from memory while
 *
 * - its change counters (shared/pipeline/readGenerations.ts) are unchanged: any write through any
 *   api process, and the start and end of every job, make the next read fresh, and
 * - it is younger than `ttlMs`: what a running job writes shows within that time.
 *
 * Concurrent misses of one key share one database read. The key holds the caller's role and the
 * whole URL, so no answer reaches a caller who could not have asked for it. Bounded: at most
 * `maxEntries` answers of at most `maxBodyChars` each, the oldest dropped first.
 */
import type { RedisConnection } from '../../shared/redis.js';
import { readGeneration, type ReadScope } from '../../shared/pipeline/readGenerations.js';

export interface ReadCacheOptions {
  redis: RedisConnection;
  prefix: string;
  ttlMs: number;
  maxEntries?: number;
  maxBodyChars?: number;
}

interface Entry {
  generation: string;
  expiresAt: number;
  json: string;
}

export interface ReadCache {
  /** The answer's JSON text: from memory when still valid, else from `compute` (and kept). */
  answer(key: string, scope: ReadScope, compute: () => Promise<unknown>): Promise<string>;
  /** Drops every answer kept here (a write whose counters could not be moved). */
  forget(): void;
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const maxBodyChars = options.maxBodyChars ?? 512 * 1024;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();

  const keep = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };

  const refresh = async (key: string, generation: string, compute: () => Promise<unknown>) => {
    const expiresAt = Date.now() + options.ttlMs;
    const json = JSON.stringify(await compute());
    if (json.length <= maxBodyChars) keep(key, { generation, expiresAt, json });
    return json;
  };

  return {
    async answer(key, scope, compute) {
      if (options.ttlMs <= 0) return JSON.stringify(await compute());
      let generation: string;
      try {
        generation = await readGeneration(options.redis, options.prefix, scope);
      } catch {
        // Redis is out of reach: reads still work, straight from the database.
        return JSON.stringify(await compute());
      }
      const flightKey = `${generation} ${key}`;
      const entry = entries.get(key);
      if (entry && entry.generation === generation && entry.expiresAt > Date.now()) return entry.json;
      const pending = inFlight.get(flightKey);
      if (pending) return pending;
      const fresh = refresh(key, generation, compute).finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, fresh);
      return fresh;
    },
    forget() {
      entries.clear();
    },
  };
}
