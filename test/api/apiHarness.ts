/**
 * The api on a port of its own, over a per-file database and Redis prefix, with one token per role
 * and every log line captured (the secrets test greps them).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import { createApp, type AppDeps, type SeatwiseApp } from '../../api/app.js';
import { sha256Hex } from '../../api/http/auth.js';
import { loadConfig, ROLES, type Config, type Role } from '../../shared/config.js';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { createLogger } from '../../shared/logger.js';
import { openTestDb, openTestRedis, type TestDb, type TestRedis } from '../helpers/services.js';

export const ROLE_TOKENS: Record<Role, string> = {
  admin: 'tok-admin-7c1f0a9e5b',
  integrator: 'tok-integrator-2d8e4b',
  operator: 'tok-operator-9a3c6f',
  viewer: 'tok-viewer-51e7d2',
};

export interface CallOptions {
  token?: Role | null;
  body?: unknown;
  /** Sent as-is (malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface ApiHarness {
  url: string;
  app: SeatwiseApp;
  config: Config;
  models: Models;
  db: TestDb;
  redis: TestRedis;
  logs: string[];
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export async function startApi(
  overrides: Partial<Omit<AppDeps, 'redis' | 'mongo' | 'config'>> = {},
  env: Record<string, string> = {},
): Promise<ApiHarness> {
  const db = await openTestDb('api');
  const redis = await openTestRedis('api');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    REDIS_PREFIX: redis.prefix,
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
    API_TOKENS: ROLES.map((r) => `${r}-user:${r}:${sha256Hex(ROLE_TOKENS[r])}`).join(','),
    API_BODY_LIMIT: '64kb',
    // The simulator answers on loopback over plain http.
    SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const log = createLogger(config, 'api', sink);
  const models = bindModels(db.connection);
  await ensureIndexes(models);
  const app = createApp({ redis: redis.redis, mongo: db.connection, config, log, ...overrides });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    config,
    models,
    db,
    redis,
    logs,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const role = options.token === undefined ? 'admin' : options.token;
      if (role) headers.authorization = `Bearer ${ROLE_TOKENS[role]}`;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${path}`, {
        method: method.toUpperCase(),
        headers,
        body,
        redirect: 'manual',
      });
      const text = await res.text();
      let json: unknown = undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.drop();
      await redis.cleanup();
    },
  };
}

export const aliasInput = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  instanceUrl: 'https://example.my.salesforce.com',
  grantType: 'authorization_code',
  clientId: 'client-id-1',
  clientSecret: 'sekret-client-value-1234',
  ...extra,
});

/** Stored (sealed-looking) tokens for an alias that counts as authorized; never opened by a test. */
export const fakeStoredTokens = () => ({
  accessToken: { keyId: 'k1', iv: 'a', tag: 'b', data: 'c' },
  instanceUrl: 'https://x',
  orgId: '00D000000000001AAA',
  userId: '005000000000001AAA',
  issuedAt: new Date(),
});
