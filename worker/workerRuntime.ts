/**
 * The worker's moving parts, built from its connections: Salesforce clients, processors wrapped
 * with the shared execution rules, and one BullMQ Worker per queue. `main.ts` runs it for every
 * queue; tests run it in process for the queues they exercise.
 */
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { createSecretBox } from '../shared/crypto/secretBox.js';
import { loadOrgAccess } from '../shared/db/aliasCredentials.js';
import type { Models } from '../shared/db/models.js';
import { JOB_CATALOG } from '../shared/jobs/catalog.js';
import { closeQueueHandles } from '../shared/pipeline/queueHandles.js';
import { JOB_NAMES, QUEUE_NAMES, type JobName } from '../shared/queues.js';
import { createSalesforceClients } from '../shared/salesforce/salesforceClients.js';
import { noteReadChange } from '../shared/pipeline/readGenerations.js';
import { executeJob, recordFailedOutsideProcessor, type ExecutionDeps } from './jobExecution.js';
import { createJobRunRecorder } from './jobRunRecorder.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { assertEveryQueueHasOneProcessor, processorFactoryFor } from './registry.js';
import type { WorkerDeps } from './workerDeps.js';

/**
 * A job's lock is renewed every half of this; a worker that dies (SIGKILL) holds its jobs for at
 * most this long before another worker's stalled check takes them over.
 */
export const LOCK_DURATION_MS = 15_000;
export const STALLED_INTERVAL_MS = 10_000;
/** A job may be orphaned by dying workers this many times before it fails. */
export const MAX_STALLED_COUNT = 3;

export interface WorkerRuntimeOptions {
  config: Config;
  log: Logger;
  /** BullMQ-capable connection (maxRetriesPerRequest: null); each Worker duplicates it. */
  redis: RedisConnection;
  models: Models;
  /** Default: every queue. */
  jobNames?: readonly JobName[];
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface WorkerRuntime {
  workers: Worker[];
  metrics: WorkerMetrics;
  deps: WorkerDeps;
  ready(): Promise<void>;
  /** Stops taking jobs, waits for the ones in hand, releases everything but the given connections. */
  close(): Promise<void>;
}

export function createWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  assertEveryQueueHasOneProcessor();
  const { config, log, redis, models } = options;
  const metrics = createWorkerMetrics();
  const box = createSecretBox(config.crypto);
  const salesforce = createSalesforceClients({
    config: config.salesforce,
    redis,
    prefix: config.redis.prefix,
    log,
    instrumentation: metrics.salesforce,
  });
  const deps: WorkerDeps = {
    config,
    log,
    models,
    redis,
    async salesforceFor(profileId) {
      const access = await loadOrgAccess(models, box, profileId);
      return salesforce.forOrg(access.credentials, access.tokenStore);
    },
  };
  const execution: ExecutionDeps = {
    models,
    log,
    recorder: createJobRunRecorder(models),
    metrics,
    // Never fails the job: a missed bump only lets the api serve a read up to its cache's time limit.
    // Soft: the api serves what it had once more and fetches behind it (readCache.ts).
    readsChanged: (profileId, topics) =>
      noteReadChange(
        redis,
        config.redis.prefix,
        topics === 'everything' ? { profileId, hard: false } : { profileId, topics, hard: false },
      ).catch((error: unknown) => log.warn({ err: error, profileId }, 'read cache counters not moved')),
  };
  const names = options.jobNames ?? JOB_NAMES;
  const workers = names.map(
    (name) =>
      new Worker(
        QUEUE_NAMES[name],
        executeJob(JOB_CATALOG[name], processorFactoryFor(name)(deps), execution),
        {
          connection: redis.duplicate(),
          prefix: config.redis.prefix,
          concurrency: config.worker.concurrency,
          lockDuration: options.lockDurationMs ?? LOCK_DURATION_MS,
          stalledInterval: options.stalledIntervalMs ?? STALLED_INTERVAL_MS,
          maxStalledCount: MAX_STALLED_COUNT,
          // Shown as the job's `processedBy` (Bull Board, crash tests): which process holds it.
          name: `${hostname()}-${process.pid}`,
        },
      ),
  );
  for (const worker of workers) {
    worker.on('failed', (job, error) => {
      if (!job) return;
      recordFailedOutsideProcessor(job, error, execution).catch((e: unknown) =>
        log.error({ queue: worker.name, jobId: job.id, err: e }, 'could not record a failed job'),
      );
    });
    worker.on('error', (error) => log.error({ queue: worker.name, err: error }, 'worker error'));
  }
  const depthQueues = JOB_NAMES.map(
    (name) => new Queue(QUEUE_NAMES[name], { connection: redis, prefix: config.redis.prefix }),
  );
  metrics.watchQueues(depthQueues);

  return {
    workers,
    metrics,
    deps,
    async ready() {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([
        metrics.close(),
        salesforce.close(),
        closeQueueHandles(redis),
        ...depthQueues.map((q) => q.close()),
      ]);
    },
  };
}
