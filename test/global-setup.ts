/**
 * Starts (or finds) the real services every test file may use, once per test run:
 * Redis from REDIS_URL or the machine's 127.0.0.1:6379, and a MongoDB-compatible server from
 * MONGO_URL or a FerretDB this setup provisions. Fails fast, with one clear message, when
 * either cannot be reached.
 */
import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { loadServiceEnv } from '../shared/config.js';
import { startFerretdb, type RunningFerretdb } from '../scripts/ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
  }
}

let ferretdb: RunningFerretdb | undefined;

async function assertRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Tests need Redis at ${url} (set REDIS_URL): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

async function assertMongo(url: string): Promise<void> {
  const conn = mongoose.createConnection(`${url}/seatwise_setup_check`, { serverSelectionTimeoutMS: 5_000 });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
  } catch (error) {
    throw new Error(`Tests need MongoDB at ${url} (set MONGO_URL): ${(error as Error).message}`);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** MONGO_URL may name a database; tests add their own per file, so keep only the server part. */
function serverPart(url: string): string {
  const u = new URL(url);
  u.pathname = '';
  return u.toString().replace(/\/$/, '');
}

interface SharedServices {
  mongoUrl: Promise<string>;
  users: number;
  /** Stops what this run started (the FerretDB), from whichever setup tears down last. */
  stop: () => Promise<void>;
}

/**
 * Vitest runs this once for the root config and once per project (the suite, then the load test):
 * one FerretDB serves them all, stopped when the last of them tears down. The setups share the
 * main process, not this module's instance, hence `globalThis`.
 */
const shared = globalThis as typeof globalThis & { seatwiseServices?: SharedServices };

async function startServices(): Promise<string> {
  const env = loadServiceEnv();
  await assertRedis(env.redisUrl);
  let mongoUrl: string;
  if (env.mongoUrl) {
    mongoUrl = serverPart(env.mongoUrl);
  } else {
    ferretdb = await startFerretdb({
      handler: env.ferretdbHandler,
      postgresUrl: env.ferretdbPostgresUrl,
      log: (line) => console.log(`[global-setup] ${line}`),
    });
    mongoUrl = ferretdb.url;
  }
  await assertMongo(mongoUrl);
  return mongoUrl;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = (shared.seatwiseServices ??= {
    mongoUrl: startServices(),
    users: 0,
    stop: async () => {
      await ferretdb?.stop();
    },
  });
  services.users += 1;
  project.provide('mongoUrl', await services.mongoUrl);
  project.provide('redisUrl', loadServiceEnv().redisUrl);
  return async () => {
    services.users -= 1;
    if (services.users > 0) return;
    shared.seatwiseServices = undefined;
    await services.stop();
  };
}
