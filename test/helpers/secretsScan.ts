/**
 * Everything a secrets scan looks through, gathered as text: every Redis key and value under a
 * prefix (job data included), every document of every MongoDB collection, and Bull Board's job views.
 */
import { BSON } from 'mongodb';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { QUEUE_NAMES } from '../../shared/queues.js';

export interface Haystack {
  where: string;
  text: string;
}

/** Every key under `prefix` with its whole value, whatever its type. */
export async function redisHaystacks(url: string, prefix: string): Promise<Haystack[]> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    const out: Haystack[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let value: unknown;
        if (type === 'string') value = await redis.get(key);
        else if (type === 'hash') value = await redis.hgetall(key);
        else if (type === 'list') value = await redis.lrange(key, 0, -1);
        else if (type === 'set') value = await redis.smembers(key);
        else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
        else if (type === 'stream') value = await redis.xrange(key, '-', '+');
        else value = `(${type})`;
        out.push({ where: `redis ${key}`, text: `${key} ${JSON.stringify(value)}` });
      }
    } while (cursor !== '0');
    return out;
  } finally {
    redis.disconnect();
  }
}

/** Every document of every collection of the database in `url`. */
export async function mongoHaystacks(url: string): Promise<Haystack[]> {
  const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const db = connection.db!;
    const out: Haystack[] = [];
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const docs = await db.collection(name).find({}).toArray();
      out.push({ where: `mongodb ${name} (${docs.length} documents)`, text: BSON.EJSON.stringify(docs) });
    }
    return out;
  } finally {
    await connection.close();
  }
}

const BOARD_STATUSES = [
  'latest',
  'active',
  'waiting',
  'waiting-children',
  'prioritized',
  'completed',
  'failed',
  'delayed',
  'paused',
];

/** Bull Board's JSON job views, every queue, status and page, as an admin sees them. */
export async function bullBoardHaystacks(apiUrl: string, adminToken: string): Promise<Haystack[]> {
  const out: Haystack[] = [];
  for (const queue of Object.values(QUEUE_NAMES)) {
    for (const status of BOARD_STATUSES) {
      // Bull Board serves at most 300 jobs a page.
      for (let page = 1, pages = 1; page <= pages; page += 1) {
        const res = await fetch(
          `${apiUrl}/admin/queues/api/queues?activeQueue=${queue}&status=${status}&page=${page}&jobsPerPage=300`,
          { headers: { authorization: `Bearer ${adminToken}` } },
        );
        const text = await res.text();
        if (res.status !== 200)
          throw new Error(`Bull Board ${queue}/${status} answered ${res.status}: ${text}`);
        const body = JSON.parse(text) as { queues: { name: string; pagination?: { pageCount?: number } }[] };
        pages = body.queues.find((q) => q.name === queue)?.pagination?.pageCount ?? 1;
        out.push({ where: `bull board ${queue} ${status} page ${page}`, text });
      }
    }
  }
  return out;
}

/** Where any needle (or pattern) occurs, as `where: what` lines (never the value itself). */
export function findSecrets(
  haystacks: readonly Haystack[],
  needles: readonly { label: string; value: string }[],
  patterns: readonly { label: string; pattern: RegExp }[],
): string[] {
  const found: string[] = [];
  for (const h of haystacks) {
    for (const n of needles) if (h.text.includes(n.value)) found.push(`${h.where}: ${n.label}`);
    for (const p of patterns) if (p.pattern.test(h.text)) found.push(`${h.where}: ${p.label}`);
  }
  return found;
}
