import { connectMongo } from '../shared/db/connection.js';
import { bindModels, ensureIndexes } from '../shared/db/models.js';
import { createLogger } from '../shared/logger.js';
import { exitOnStartupFailure, loadConfigOrExit } from '../shared/processStartup.js';
import { startScheduleReconciler } from '../shared/pipeline/scheduleReconciler.js';
import { JOB_NAMES } from '../shared/queues.js';
import { connectRedisOrFail, describeRedis } from '../shared/redis.js';
import { createWorkerRuntime } from './workerRuntime.js';

const config = loadConfigOrExit('worker');
const log = createLogger(config, 'worker');

async function main(): Promise<void> {
  const redis = await connectRedisOrFail(config.redis);
  const mongo = await connectMongo(config.mongo.url);
  const models = bindModels(mongo);
  await ensureIndexes(models);
  const runtime = createWorkerRuntime({ config, log, redis, models });
  await runtime.ready();
  // Every worker reconciles (idempotent): schedules come back after a Redis data loss.
  const reconciler = startScheduleReconciler(
    { redis, prefix: config.redis.prefix, models },
    config.schedules.reconcileIntervalMs,
    log,
  );
  const metricsPort = await runtime.metrics.serve(config.worker.metricsPort);
  log.info({ queues: JOB_NAMES, redis: describeRedis(config.redis), metricsPort }, 'worker ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker shutting down: no new jobs, finishing the ones in hand');
    const force = setTimeout(() => {
      log.error('shutdown timed out; jobs in hand will be picked up again as stalled');
      process.exit(1);
    }, config.worker.shutdownTimeoutMs);
    force.unref();
    // close() waits for active jobs; jobs it cannot finish return to the queue as stalled.
    await reconciler.stop();
    await runtime.close();
    await Promise.allSettled([mongo.close(), redis.quit()]);
    log.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => exitOnStartupFailure('worker', error));
