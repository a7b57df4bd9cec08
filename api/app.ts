import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { pingMongo } from '../shared/db/connection.js';
import { pingWithin } from '../shared/redis.js';

export interface AppDeps {
  redis: Redis;
  mongo: Connection;
}

/** The api without `listen`, so tests drive it on a port of their own. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.all([
      check('redis', () => pingWithin(deps.redis, 1_000)),
      check('mongodb', () => pingMongo(deps.mongo, 1_000)),
    ]);
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      notReady: checks.filter((c) => !c.ok).map((c) => c.name),
      checks,
    });
  });
  return app;
}

async function check(
  name: string,
  probe: () => Promise<void>,
): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    await probe();
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: (error as Error).message };
  }
}
