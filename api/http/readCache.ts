/**
 * Answers of the read endpoints, kept in this process for a short while. Why: on FerretDB every
 * page read decodes each document its filter matches (about 0.15 ms a document), so dashboards
 * polling a few pages of a big profile would take the database's whole CPU from the workers, and
 * each poll would wait behind the sync.
 *
 * An answer is served from memory while its change counters (shared/pipeline/readGenerations.ts)
 * are unchanged and it is younger than `ttlMs`. Past that:
 *
 * - after a hard change (a write through any api process, a run's end), the next read waits for a
 *   fresh answer;
 * - after a soft change (a job of a running run), the first read fetches a fresh answer and waits
 *   for it, while reads arriving during that fetch get the previous one if it is younger than
 *   `ttlMs`;
 * - once `ttlMs` has passed with nothing changed, the answer is served once more while a fresh one
 *   is fetched behind it (what a running job wrote between its start and end shows within about
 *   `ttlMs`); past ten times `ttlMs` the read waits.
 *
 * Concurrent fetches of one key are one database read. The key holds the caller's role and the
 * whole URL, so no answer reaches a caller who could not have asked for it. Bounded: at most
 * `maxEntries` answers of at most `maxBodyChars` each, the least recently stored dropped first.
 */
import type { RedisConnection } from '../../shared/redis.js';
import {
  readGeneration,
  type ReadGeneration,
  type ReadScope,
} from '../../shared/pipeline/readGenerations.js';

export interface ReadCacheOptions {
  redis: RedisConnection;
  prefix: string;
  ttlMs: number;
  maxEntries?: number;
  maxBodyChars?: number;
}

interface Entry extends ReadGeneration {
  storedAt: number;
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
  const maxStaleMs = options.ttlMs * 10;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();

  const keep = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };

  /** One database read per key and generation, however many ask for it meanwhile. */
  const fetchFresh = (
    key: string,
    generation: ReadGeneration,
    compute: () => Promise<unknown>,
  ): { fresh: Promise<string>; started: boolean } => {
    const flightKey = `${generation.hard}|${generation.soft} ${key}`;
    const pending = inFlight.get(flightKey);
    if (pending) return { fresh: pending, started: false };
    const fresh = (async () => {
      const storedAt = Date.now();
      const json = JSON.stringify(await compute());
      if (json.length <= maxBodyChars) keep(key, { ...generation, storedAt, json });
      return json;
    })().finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, fresh);
    return { fresh, started: true };
  };

  return {
    async answer(key, scope, compute) {
      if (options.ttlMs <= 0) return JSON.stringify(await compute());
      let generation: ReadGeneration;
      try {
        generation = await readGeneration(options.redis, options.prefix, scope);
      } catch {
        // Redis is out of reach: reads still work, straight from the database.
        return JSON.stringify(await compute());
      }
      const entry = entries.get(key);
      if (!entry || entry.hard !== generation.hard) return fetchFresh(key, generation, compute).fresh;
      const age = Date.now() - entry.storedAt;
      if (entry.soft === generation.soft) {
        if (age < options.ttlMs) return entry.json;
        if (age >= maxStaleMs) return fetchFresh(key, generation, compute).fresh;
        // Nothing known has changed: refresh behind this answer (a failed refresh is retried by
        // the next read past the time limit).
        fetchFresh(key, generation, compute).fresh.catch(() => undefined);
        return entry.json;
      }
      // A soft change: the first read after it waits for the fresh answer; reads arriving during
      // that fetch get the previous one while it is recent enough.
      const { fresh, started } = fetchFresh(key, generation, compute);
      return !started && age < options.ttlMs ? entry.json : fresh;
    },
    forget() {
      entries.clear();
    },
  };
}
