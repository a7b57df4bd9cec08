/**
 * With Redis or MongoDB gone, the api answers 503 DEPENDENCY_UNAVAILABLE within 2 s instead of
 * hanging, and recovers by itself once the dependency is back. Redis is a private redis-server the
 * test stops and starts; MongoDB is the shared FerretDB behind a TCP proxy the test cuts.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { sha256Hex } from '../../api/http/auth.js';
import { loadConfig } from '../../shared/config.js';
import { connectMongo } from '../../shared/db/connection.js';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { createLogger } from '../../shared/logger.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import { createFailFastRedis, untilReady, watchRedisConnection } from '../../shared/redis.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.js';
import { mongoBaseUrl, testId } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';

const TOKEN = 'tok-outage-admin-41f2';
let privateRedis: PrivateRedis;
let proxy: TcpProxy;
let redis: Redis;
let mongo: Connection;
let models: Models;
let server: Server;
let url = '';
/** The same api with a short request time limit. */
let strictServer: Server;
let strictUrl = '';

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  const ferret = new URL(mongoBaseUrl());
  proxy = await startTcpProxy({ host: ferret.hostname, port: Number(ferret.port) });
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: privateRedis.url,
    REDIS_PREFIX: testId('outage'),
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
    API_TOKENS: `ops:admin:${sha256Hex(TOKEN)}`,
    API_DEPENDENCY_TIMEOUT_MS: '1000',
  };
  const config = loadConfig(env);
  const log = createLogger(config, 'api');
  redis = createFailFastRedis(privateRedis.url, config.api.dependencyTimeoutMs);
  watchRedisConnection(redis, log);
  await untilReady(redis);
  mongo = await connectMongo(
    `mongodb://127.0.0.1:${proxy.port}/${testId('outage').replace('-', '_')}`,
    10_000,
    {
      selectionTimeoutMs: config.api.dependencyTimeoutMs,
    },
  );
  models = bindModels(mongo);
  await ensureIndexes(models);
  server = createApp({ redis, mongo, config, log }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const strict = loadConfig({ ...env, API_REQUEST_TIMEOUT_MS: '600' });
  strictServer = createApp({ redis, mongo, config: strict, log }).listen(0, '127.0.0.1');
  await once(strictServer, 'listening');
  strictUrl = `http://127.0.0.1:${(strictServer.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  strictServer?.closeAllConnections();
  await new Promise<void>((resolve) => (strictServer ? strictServer.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await closeQueueHandles(redis);
  redis?.disconnect();
  await proxy?.restore().catch(() => undefined);
  await mongo?.dropDatabase().catch(() => undefined);
  await mongo?.close().catch(() => undefined);
  await proxy?.close();
  await privateRedis?.close();
});

async function call(
  method: string,
  path: string,
  base = url,
): Promise<{ status: number; ms: number; json: Record<string, unknown>; type: string }> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    ms: performance.now() - started,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    type: res.headers.get('content-type') ?? '',
  };
}

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await ok())) {
    if (Date.now() - started > ms) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('when Redis is down', () => {
  it('when Redis stops, then routes that need it answer 503 within 2 s, reads keep working, and after Redis starts again the api recovers', async () => {
    const profile = await models.IntegrationProfile.create({
      displayName: 'Outage',
      displayNameKey: 'outage',
      status: 'published',
      createdBy: 't',
      updatedBy: 't',
    });
    const id = String(profile._id);
    expect((await call('POST', '/api/v1/reclaim/stop')).status).toBe(200);

    await privateRedis.stop();
    for (const path of ['/api/v1/reclaim/resume', `/api/v1/profiles/${id}/sync`]) {
      const down = await call('POST', path);
      expect(down.status, path).toBe(503);
      expect(down.type).toContain('application/problem+json');
      expect(down.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'redis' });
      expect(down.ms, path).toBeLessThan(2_000);
    }
    // Nothing was claimed: the run never started.
    expect((await models.IntegrationProfile.findById(id).lean())?.currentRunId).toBeNull();
    const read = await call('GET', `/api/v1/profiles/${id}`);
    expect(read.status).toBe(200);
    expect(read.ms).toBeLessThan(2_000);

    await privateRedis.start();
    await until(
      'the api to reach Redis again',
      async () => (await call('POST', '/api/v1/reclaim/resume')).status === 200,
    );
    const sync = await call('POST', `/api/v1/profiles/${id}/sync`);
    expect(sync.status).toBe(202);
    expect(sync.json).toMatchObject({ coalesced: false });
  }, 60_000);
});

describe('when MongoDB is down', () => {
  it('when MongoDB cannot be reached, then api calls answer 503 within 2 s, and once it is back the api recovers', async () => {
    // Another page than the ones asked below: an answer the read cache holds needs no database.
    expect((await call('GET', '/api/v1/profiles?limit=1')).status).toBe(200);
    await proxy.cut();
    for (const path of ['/api/v1/profiles', '/api/v1/aliases']) {
      const down = await call('GET', path);
      expect(down.status, path).toBe(503);
      expect(down.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'mongodb' });
      expect(down.ms, path).toBeLessThan(2_000);
    }
    await proxy.restore();
    const ms = await until(
      'the api to reach MongoDB again',
      async () => (await call('GET', '/api/v1/profiles')).status === 200,
    );
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});

describe('when a dependency stops answering without closing the connection', () => {
  it('when MongoDB holds a request past the api’s time limit, then 503 REQUEST_TIMEOUT comes back at the limit, and the api answers again once MongoDB does', async () => {
    expect((await call('GET', '/api/v1/profiles?limit=1', strictUrl)).status).toBe(200);
    proxy.stall();
    try {
      const held = await call('GET', '/api/v1/profiles', strictUrl);
      expect(held.status).toBe(503);
      expect(held.json).toMatchObject({ code: 'REQUEST_TIMEOUT', timeoutMs: 600 });
      expect(held.ms).toBeGreaterThanOrEqual(550);
      expect(held.ms).toBeLessThan(2_000);
    } finally {
      proxy.resume();
    }
    await until(
      'the api to answer again',
      async () => (await call('GET', '/api/v1/profiles', strictUrl)).status === 200,
    );
  }, 30_000);
});
