/**
 * Per-file isolation on the shared services: a database of its own on the MongoDB-compatible
 * server and a Redis key prefix of its own, both removed when the file ends.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';

export function testId(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export function mongoBaseUrl(): string {
  return inject('mongoUrl');
}

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A mongodb URL naming a fresh database (FerretDB limits names to 63 chars of [a-z0-9_-]). */
export function freshMongoUrl(label = 'db'): string {
  return `${mongoBaseUrl()}/${`${label}_${randomUUID().replaceAll('-', '').slice(0, 12)}`.slice(0, 60)}`;
}

export interface TestDb {
  url: string;
  connection: Connection;
  drop(): Promise<void>;
}

export async function openTestDb(label = 'db'): Promise<TestDb> {
  const url = freshMongoUrl(label);
  const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  return {
    url,
    connection,
    async drop() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

export interface TestRedis {
  url: string;
  /** A BullMQ prefix / key prefix no other test file uses. */
  prefix: string;
  redis: Redis;
  cleanup(): Promise<void>;
}

export async function openTestRedis(label = 'test'): Promise<TestRedis> {
  const url = redisUrl();
  const prefix = testId(label);
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  return {
    url,
    prefix,
    redis,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
