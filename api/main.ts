import { once } from 'node:events';
import { connectMongo } from '../shared/db/connection.js';
import { bindModels, ensureIndexes } from '../shared/db/models.js';
import { createLogger } from '../shared/logger.js';
import { exitOnStartupFailure, loadConfigOrExit } from '../shared/processStartup.js';
import {
  connectRedisOrFail,
  describeRedis,
  failFastOptions,
  untilReady,
  watchRedisConnection,
} from '../shared/redis.js';
import { adminPagesRouter } from '../dashboard/adminPages/adminPages.js';
import { createBullBoardMount } from '../dashboard/bullBoard.js';
import { profileNamesFrom } from '../dashboard/profileNames.js';
import { createApp } from './app.js';

const config = loadConfigOrExit('api');
const log = createLogger(config, 'api');

async function main(): Promise<void> {
  // Both fail fast while unreachable: requests answer 503 within API_DEPENDENCY_TIMEOUT_MS.
  const redis = await connectRedisOrFail(
    config.redis,
    5_000,
    failFastOptions(config.api.dependencyTimeoutMs),
  );
  watchRedisConnection(redis, log);
  await untilReady(redis);
  const mongo = await connectMongo(config.mongo.url, 5_000, {
    selectionTimeoutMs: config.api.dependencyTimeoutMs,
  });
  const models = bindModels(mongo);
  await ensureIndexes(models);
  const board = createBullBoardMount({
    connection: redis,
    prefix: config.redis.prefix,
    tokens: config.api.tokens,
    profileNames: profileNamesFrom(models),
  });
  const server = createApp({
    redis,
    mongo,
    config,
    log,
    mounts: [board, { path: '/admin', handler: adminPagesRouter() }],
  }).listen(config.api.port, config.api.host);
  // Longer than any client's or load balancer's idle keep-alive (60 s is the usual): with Node's 5 s
  // default a client reusing a socket the server is just closing gets ECONNRESET (the read-load
  // test saw it under its busiest seconds).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  log.info({ port, host: config.api.host, redis: describeRedis(config.redis) }, 'api ready');

  const shutdown = (signal: string) => {
    log.info({ signal }, 'api shutting down');
    server.close(() => {
      void board
        .close()
        .catch(() => undefined)
        .then(() => Promise.allSettled([mongo.close(), redis.quit()]))
        .then(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), config.worker.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => exitOnStartupFailure('api', error));
