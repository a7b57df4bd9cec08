/**
 * In-process worker for tests: the real runtime (registry, execution rules, JobRun recorder,
 * Salesforce client) on the file's own database and Redis prefix, for the queues a test exercises.
 */
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { loadConfig, type Config } from '../../shared/config.js';
import { createSecretBox, type SecretBox } from '../../shared/crypto/secretBox.js';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { createLogger } from '../../shared/logger.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import type { PipelineDeps } from '../../shared/pipeline/runs.js';
import type { JobName } from '../../shared/queues.js';
import type { SimulatorOrgInfo } from '../../simulator/server.js';
import { createWorkerRuntime, type WorkerRuntime } from '../../worker/workerRuntime.js';
import { openTestDb, openTestRedis, testId, type TestDb, type TestRedis } from '../helpers/services.js';

export interface WorkerHarness {
  db: TestDb;
  redis: TestRedis;
  models: Models;
  config: Config;
  box: SecretBox;
  pipeline: PipelineDeps;
  /** The env a worker child process needs to share this harness's services. */
  env: Record<string, string>;
  start(jobNames: readonly JobName[]): Promise<WorkerRuntime>;
  /** A queue handle on this harness's Redis prefix, closed by `close()`. */
  queue(name: string): Queue;
  close(): Promise<void>;
}

export async function openWorkerHarness(
  label: string,
  env: Record<string, string> = {},
): Promise<WorkerHarness> {
  const db = await openTestDb(label);
  const redis = await openTestRedis(label);
  const models = bindModels(db.connection);
  await ensureIndexes(models);
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    MONGO_URL: db.url,
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    // The in-process simulator runs Bulk jobs at a hundredth of real time.
    SF_BULK_POLL_FIRST_MS: '10',
    SF_BULK_POLL_MAX_MS: '150',
    WORKER_CONCURRENCY: '4',
    ...env,
  };
  const config = loadConfig(fullEnv);
  const runtimes: WorkerRuntime[] = [];
  const queues: Queue[] = [];
  return {
    db,
    redis,
    models,
    config,
    box: createSecretBox(config.crypto),
    pipeline: { redis: redis.redis, prefix: redis.prefix, models },
    env: fullEnv,
    async start(jobNames) {
      const runtime = createWorkerRuntime({
        config,
        log: createLogger(config, 'worker'),
        redis: redis.redis,
        models,
        jobNames,
      });
      runtimes.push(runtime);
      await runtime.ready();
      return runtime;
    },
    queue(name) {
      const queue = new Queue(name, { connection: redis.redis, prefix: redis.prefix });
      queues.push(queue);
      return queue;
    },
    async close() {
      await Promise.allSettled(queues.map((q) => q.close()));
      await Promise.allSettled(runtimes.map((r) => r.close()));
      await closeQueueHandles(redis.redis);
      await redis.cleanup();
      await db.drop();
    },
  };
}

/** A client-credentials alias for a simulator org and a profile on it (draft unless told). */
export async function seedOrgProfile(
  harness: Pick<WorkerHarness, 'models' | 'box'>,
  org: SimulatorOrgInfo,
  options: { clientSecret?: string; status?: 'draft' | 'published'; withAlias?: boolean } = {},
): Promise<string> {
  const name = testId('org');
  const aliasId = new Types.ObjectId();
  const alias =
    options.withAlias === false
      ? null
      : await harness.models.ConnectionAlias.create({
          _id: aliasId,
          name,
          nameKey: name.toLowerCase(),
          instanceUrl: org.instanceUrl,
          grantType: 'client_credentials',
          clientId: org.clientId,
          clientSecret: harness.box.seal(options.clientSecret ?? org.clientSecret, {
            aliasId: String(aliasId),
            field: 'clientSecret',
          }),
          authStatus: 'authorized',
        });
  const profile = await harness.models.IntegrationProfile.create({
    displayName: `Profile ${name}`,
    displayNameKey: `profile ${name}`.toLowerCase(),
    aliasId: alias?._id ?? null,
    status: options.status ?? 'draft',
    createdBy: 'test',
    updatedBy: 'test',
  });
  if (alias)
    await harness.models.ConnectionAlias.updateOne({ _id: alias._id }, { $set: { profileId: profile._id } });
  return String(profile._id);
}

/** Polls until `check` returns a value (not undefined/false/null), or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until the profile has no run in flight (its run ended, whatever the outcome). */
export async function waitForRunToEnd(
  harness: Pick<WorkerHarness, 'models'>,
  profileId: string,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `the run of ${profileId} to end`,
    async () =>
      (await harness.models.IntegrationProfile.findById(profileId, { currentRunId: 1 }).lean())
        ?.currentRunId === null,
    timeoutMs,
    250,
  );
}
