import { Worker } from 'bullmq';
import { connectMongo } from '../shared/db/connection.js';
import { createLogger } from '../shared/logger.js';
import { exitOnStartupFailure, loadConfigOrExit } from '../shared/processStartup.js';
import { JOB_NAMES, QUEUE_NAMES } from '../shared/queues.js';
import { connectRedisOrFail, redactUrl } from '../shared/redis.js';
import { processorFor } from './registry.js';

const config = loadConfigOrExit('worker');
const log = createLogger(config, 'worker');

async function main(): Promise<void> {
  const redis = await connectRedisOrFail(config.redis.url);
  const mongo = await connectMongo(config.mongo.url);
  const workers = JOB_NAMES.map(
    (name) =>
      new Worker(QUEUE_NAMES[name], processorFor(name), {
        connection: redis.duplicate(),
        prefix: config.redis.prefix,
        concurrency: config.worker.concurrency,
      }),
  );
  for (const worker of workers) {
    worker.on('failed', (job, error) =>
      log.warn({ queue: worker.name, jobId: job?.id, err: error }, 'job failed'),
    );
    worker.on('error', (error) => log.error({ queue: worker.name, err: error }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ queues: JOB_NAMES, redis: redactUrl(config.redis.url) }, 'worker ready');

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
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled([mongo.close(), redis.quit()]);
    log.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => exitOnStartupFailure('worker', error));
