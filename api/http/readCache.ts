/**
 * Answers of the read endpoints, kept in this process for a short while. Why: on FerretDB every
 * page read decodes each document its filter matches (about 0.15 ms a document), so dashboards
 * polling a few pages of a big profile would take the database's whole CPU from the workers, and
 * each poll would wait behind the sync.
 *
 * An answer is served from memory while no hard change happened and it is younger than `ttlMs`:
 *
 * - after a hard change (a write through any api process), the next read waits for a fresh
 *   answer: a person sees their own approval at once;
 * - after a soft change (a job starting or ending, a run's end), once the answer is `ttlMs` old it
 *   goes out once more and a fresh one is fetched behind it for the next read; so the workers'
 *   progress shows within `ttlMs` and one fetch, and no dashboard waits behind the sync. Soft
 *   changes come several times a second from back-to-back syncs: fetching again at each one was
 *   most of the database's work under read load;
 * - with no change at all, the answer is fetched again behind the reads once it nears five times
 *   `ttlMs` (a net for writes that move no counter); an answer older than that is served only while
 *   its fresh one is being fetched, otherwise that read waits.
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
  const maxStaleMs = options.ttlMs * 5;
  const entries = new Map<string, Entry>();
  /** At most one fetch per key at a time; a waiting read joins it if it started under its hard counters. */
  const inFlight = new Map<string, { hard: string; answer: Promise<string> }>();

  const keep = (key: string, entry: Entry) => {
    // Two fetches of a key can overlap (a hard change while one was behind): the later start wins.
    if ((entries.get(key)?.storedAt ?? -1) > entry.storedAt) return;
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };

  const startFetch = (key: string, generation: ReadGeneration, compute: () => Promise<unknown>) => {
    const answer = (async () => {
      const storedAt = Date.now();
      const json = JSON.stringify(await compute());
      if (json.length <= maxBodyChars) keep(key, { ...generation, storedAt, json });
      return json;
    })().finally(() => {
      if (inFlight.get(key)?.answer === answer) inFlight.delete(key);
    });
    inFlight.set(key, { hard: generation.hard, answer });
    return answer;
  };

  /** A read that waits: joins the fetch in flight when nothing hard changed since it started. */
  const fetchFresh = (key: string, generation: ReadGeneration, compute: () => Promise<unknown>) => {
    const pending = inFlight.get(key);
    if (pending && pending.hard === generation.hard) return pending.answer;
    return startFetch(key, generation, compute);
  };

  /**
   * Behind a served answer: none while one is in flight. Soft counters move several times a second
   * under back-to-back syncs; a fetch per move piled concurrent fetches of one page onto a busy
   * database, which made them slow enough for answers to age past the limit and reads to wait.
   */
  const refreshBehind = (key: string, generation: ReadGeneration, compute: () => Promise<unknown>) => {
    if (inFlight.has(key)) return;
    startFetch(key, generation, compute).catch(() => undefined);
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
      if (!entry || entry.hard !== generation.hard) return fetchFresh(key, generation, compute);
      const age = Date.now() - entry.storedAt;
      if (age >= maxStaleMs) {
        // Past the limit a read waits, unless a fresh answer is already being fetched: then the kept
        // one goes out instead of the reader queueing behind a database busy with a sync.
        if (inFlight.get(key)?.hard === generation.hard) return entry.json;
        return fetchFresh(key, generation, compute);
      }
      const changed = entry.soft !== generation.soft;
      const due = changed ? options.ttlMs : maxStaleMs - options.ttlMs;
      // Due: this answer once more, and a fresh one fetched behind it for the next read.
      if (age >= due) refreshBehind(key, generation, compute);
      return entry.json;
    },
    forget() {
      entries.clear();
    },
  };
}
