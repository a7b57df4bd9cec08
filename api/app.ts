import express, { type Express, type RequestHandler } from 'express';
import type { RedisConnection } from '../shared/redis.js';
import type { Connection } from 'mongoose';
import type { Config } from '../shared/config.js';
import { createSecretBox } from '../shared/crypto/secretBox.js';
import { pingMongo } from '../shared/db/connection.js';
import { bindModels } from '../shared/db/models.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { noteReadChange } from '../shared/pipeline/readGenerations.js';
import * as runs from '../shared/pipeline/runs.js';
import { pingWithin } from '../shared/redis.js';
import { adminLoginRouter } from '../dashboard/adminPages/adminLogin.js';
import { ROLE_SETS } from './http/auth.js';
import { createSessionStore, sessionMiddleware } from './http/browserSession.js';
import { redeemLoginCode } from './http/loginCodes.js';
import { ApiProblem, problemMiddleware } from './http/problem.js';
import { createReadCache } from './http/readCache.js';
import { defineRoute, handlerFor, type RouteDef, type WriteChanges } from './http/route.js';
import { buildOpenApi } from './openapi.js';
import { aliasRoutes } from './routes/aliases.routes.js';
import { oauthRoutes, mountOAuthCallback } from './routes/oauth.routes.js';
import { profileRoutes } from './routes/profiles.routes.js';
import { reclaimRoutes } from './routes/reclaim.routes.js';
import { resultRoutes } from './routes/results.routes.js';
import { loginCodeRoutes } from './routes/loginCodes.routes.js';
import { ruleRoutes, ruleSimulationRoutes } from './routes/rules.routes.js';
import { savingsRoutes } from './routes/savings.routes.js';
import type { ApiServices, OAuthGrants, Pipeline } from './services/apiServices.js';
import { salesforceOAuth } from './services/oauth.service.js';

export interface AppDeps {
  redis: RedisConnection;
  mongo: Connection;
  config: Config;
  log?: Logger;
  /** Defaults to shared/pipeline/runs.ts. */
  pipeline?: Pipeline;
  /** Defaults to shared/salesforce/oauth.ts. */
  oauth?: OAuthGrants;
  /** Extra mounts (Bull Board) that sit behind the api's auth; see dashboard/bullBoard.ts. */
  mounts?: { path: string; handler: RequestHandler }[];
}

export interface SeatwiseApp extends Express {
  /** Every api route the app serves, as built: the auth and fuzz tests walk it. */
  readonly routeTable: readonly RouteDef[];
}

/** The larger of two body limits like `100kb` or `1mb` (the operator may allow more than a route asks). */
function mostOf(a: string, b: string): string {
  const bytes = (limit: string) => Number.parseInt(limit, 10) * (limit.endsWith('mb') ? 1024 * 1024 : 1024);
  return bytes(a) >= bytes(b) ? a : b;
}

/** The api without `listen`, so tests drive it on a port of their own. */
export function createApp(deps: AppDeps): SeatwiseApp {
  const log = deps.log ?? createLogger(deps.config, 'api');
  const services: ApiServices = {
    config: deps.config,
    models: bindModels(deps.mongo),
    box: createSecretBox(deps.config.crypto),
    redis: deps.redis,
    pipeline: deps.pipeline ?? runs,
    pipelineDeps: { redis: deps.redis, prefix: deps.config.redis.prefix, models: bindModels(deps.mongo) },
    oauth: deps.oauth ?? salesforceOAuth(deps.config.salesforce.endpoints),
    log,
  };
  const routes: RouteDef[] = [
    ...profileRoutes(services),
    ...aliasRoutes(services),
    ...oauthRoutes(services),
    ...ruleRoutes(services),
    ...ruleSimulationRoutes(services),
    ...resultRoutes(services),
    ...reclaimRoutes(services),
    ...savingsRoutes(services),
    ...loginCodeRoutes(services),
  ];
  // Built after the table is complete (it describes itself too).
  const openApi: { document?: unknown } = {};
  routes.push(
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      tag: 'meta',
      summary: 'This document',
      roles: ROLE_SETS.read,
      handle: async () => ({ body: openApi.document }),
    }),
  );
  openApi.document = buildOpenApi(routes);

  const app = express() as unknown as SeatwiseApp;
  Object.defineProperty(app, 'routeTable', { value: Object.freeze([...routes]) });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The path only: query strings may carry OAuth codes.
      log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  });
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
  mountOAuthCallback(app, services);
  const sessions = createSessionStore({
    redis: deps.redis,
    prefix: deps.config.redis.prefix,
    ttlSeconds: deps.config.api.sessionTtlSeconds,
    tokens: deps.config.api.tokens,
  });
  app.use(sessionMiddleware(sessions, deps.config.api.publicUrl));
  app.use(
    '/admin',
    adminLoginRouter({
      store: sessions,
      tokens: deps.config.api.tokens,
      publicUrl: deps.config.api.publicUrl,
      redeemCode: (code) =>
        redeemLoginCode(deps.redis, deps.config.redis.prefix, deps.config.api.tokens, code),
    }),
  );
  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.handler);
  const json = (limit: string) =>
    express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  // A route that takes more than the default reads its body first; the general parser then skips it.
  for (const route of routes)
    if (route.bodyLimit)
      app[route.method](route.path, json(mostOf(route.bodyLimit, deps.config.api.bodyLimit)));
  app.use('/api', json(deps.config.api.bodyLimit));
  const prefix = deps.config.redis.prefix;
  const readCache = createReadCache({ redis: deps.redis, prefix, ttlMs: deps.config.api.readCacheMs });
  const handlerOptions = {
    tokens: deps.config.api.tokens,
    defaultTimeoutMs: deps.config.api.requestTimeoutMs,
    readCache,
    async wrote(profileId: string | null, changes: WriteChanges | undefined) {
      const notes =
        profileId && changes
          ? [
              { profileId, topics: changes.hard, hard: true },
              { profileId, topics: changes.soft, hard: false },
            ].filter((n) => n.topics.length > 0)
          : [{ profileId, hard: true }];
      // Not fatal to the write: this process forgets what it kept, and another api process may serve
      // an older read until its cache's time limit.
      await Promise.all(notes.map((note) => noteReadChange(deps.redis, prefix, note))).catch(
        (error: unknown) => {
          readCache.forget();
          log.warn({ err: error, profileId }, 'read cache counters not moved after a write');
        },
      );
    },
  };
  for (const route of routes) app[route.method](route.path, handlerFor(route, handlerOptions));
  app.use('/api', () => {
    throw new ApiProblem(404, 'NOT_FOUND', 'no such route');
  });
  app.use(problemMiddleware(log));
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
