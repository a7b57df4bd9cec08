/**
 * A seatwise profile bound to a simulated org, with everything a processor needs wired the way a
 * worker wires it: real FerretDB models, real Redis, the real Salesforce client factory, and an
 * in-process BullMQ Queue + Worker per job so processors run as real jobs.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { pino } from 'pino';
import type { Config } from '../../shared/config.js';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { QUEUE_NAMES, type JobName } from '../../shared/queues.js';
import {
  createSalesforceClients,
  type SalesforceClients,
} from '../../shared/salesforce/salesforceClients.js';
import type { SalesforceOrgClient } from '../../shared/salesforce/salesforceClient.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOrgInfo,
  type SimulatorOrgOptions,
} from '../../simulator/server.js';
import type { JobOutcome, JobProcessor, WorkerDeps } from '../../worker/workerDeps.js';
import { clientCredentials, RecordingTokenStore, SF_CONFIG } from '../salesforce/clientHarness.js';
import { openTestDb, openTestRedis, testId, type TestDb, type TestRedis } from './services.js';

export interface ProfileFixture {
  sim: RunningSimulator;
  org: SimulatorOrgInfo;
  db: TestDb;
  redis: TestRedis;
  models: Models;
  deps: WorkerDeps;
  profileId: string;
  /** Runs one job of the run through a real queue and worker; resolves with the processor's outcome. */
  runJob(name: JobName, processor: JobProcessor, runId?: string): Promise<JobOutcome>;
  /** Runs a job of another name on that job's queue (e.g. `reclaimUndo` on the reclaim queue). */
  runNamedJob(
    queueOf: JobName,
    processor: JobProcessor,
    name: string,
    data: Record<string, unknown>,
  ): Promise<JobOutcome>;
  newRunId(): string;
  close(): Promise<void>;
}

export interface ProfileFixtureOptions {
  label: string;
  org: SimulatorOrgOptions;
  salesforce?: Partial<Config['salesforce']>;
  /** Fixed "now" for the simulated org's dates. */
  now?: Date;
  profile?: { dryRun?: boolean; reclaimSubscriptions?: boolean };
  workerConcurrency?: number;
}

const silent = pino({ level: 'silent' });

export function testConfig(
  redis: TestRedis,
  dbUrl: string,
  salesforce: Partial<Config['salesforce']> = {},
): Config {
  return {
    env: 'test',
    log: { level: 'silent' },
    redis: { url: redis.url, prefix: redis.prefix, clusterNodes: [] },
    mongo: { url: dbUrl },
    api: {
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://127.0.0.1:0',
      bodyLimit: '100kb',
      tokens: [],
      oauthStateTtlSeconds: 600,
      sessionTtlSeconds: 3600,
      requestTimeoutMs: 15_000,
      dependencyTimeoutMs: 1_500,
      readCacheMs: 1_000,
    },
    schedules: { reconcileIntervalMs: 300_000 },
    crypto: { keys: [{ id: 'k1', key: Buffer.alloc(32, 7) }], activeKeyId: 'k1' },
    salesforce: { ...SF_CONFIG, ...salesforce },
    worker: { concurrency: 4, shutdownTimeoutMs: 5_000, metricsPort: null, reclaimFanOutSize: 1_000 },
  };
}

export async function createProfileFixture(options: ProfileFixtureOptions): Promise<ProfileFixture> {
  const sim = await startSimulator({
    orgs: [options.org],
    quiet: true,
    ...(options.now ? { now: options.now } : {}),
  });
  const [org] = sim.orgs as [SimulatorOrgInfo];
  const db = await openTestDb(options.label);
  const redis = await openTestRedis(options.label);
  const models = bindModels(db.connection);
  await ensureIndexes(models);
  const config = testConfig(redis, db.url, options.salesforce);
  const clients: SalesforceClients = createSalesforceClients({
    config: config.salesforce,
    redis: redis.redis,
    prefix: redis.prefix,
    log: silent,
  });
  const credentials = clientCredentials(org);
  const store = new RecordingTokenStore();
  const name = testId('profile');
  const profile = await models.IntegrationProfile.create({
    displayName: name,
    displayNameKey: name.toLowerCase(),
    status: 'published',
    dryRun: options.profile?.dryRun ?? false,
    subflows: {
      downloadSubscriptions: true,
      reclaimSubscriptions: options.profile?.reclaimSubscriptions ?? true,
      downloadConsumption: true,
    },
    createdBy: 'test',
    updatedBy: 'test',
  });
  const profileId = String(profile._id);
  const deps: WorkerDeps = {
    config,
    log: silent,
    models,
    redis: redis.redis,
    salesforceFor: (id: string): Promise<SalesforceOrgClient> => {
      if (id !== profileId) throw new Error(`unknown profile ${id}`);
      // A fresh client per job, as the worker builds one, so stats() are the job's own.
      return Promise.resolve(clients.forOrg(credentials, store));
    },
  };

  const workers: Worker[] = [];
  const connections: ReturnType<typeof redis.redis.duplicate>[] = [];
  const connect = () => {
    const connection = redis.redis.duplicate();
    connections.push(connection);
    return connection;
  };
  const queues = new Map<JobName, { queue: Queue; events: QueueEvents }>();
  const processors = new Map<JobName, JobProcessor>();

  async function handles(jobName: JobName, processor: JobProcessor) {
    processors.set(jobName, processor);
    let handle = queues.get(jobName);
    if (!handle) {
      const queueName = QUEUE_NAMES[jobName];
      const connection = { connection: connect(), prefix: redis.prefix };
      handle = {
        queue: new Queue(queueName, connection),
        events: new QueueEvents(queueName, { connection: connect(), prefix: redis.prefix }),
      };
      await handle.events.waitUntilReady();
      const worker = new Worker(
        queueName,
        (job: Job, token?: string) => {
          const current = processors.get(jobName);
          if (!current) throw new Error(`no processor for ${jobName}`);
          return current(job, token);
        },
        {
          connection: connect(),
          prefix: redis.prefix,
          concurrency: options.workerConcurrency ?? 4,
        },
      );
      await worker.waitUntilReady();
      workers.push(worker);
      queues.set(jobName, handle);
    }
    return handle;
  }

  const newRunId = (): string => `run_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

  return {
    sim,
    org,
    db,
    redis,
    models,
    deps,
    profileId,
    newRunId,
    async runJob(jobName, processor, runId = newRunId()) {
      const { queue, events } = await handles(jobName, processor);
      const job = await queue.add(
        jobName,
        { profileId, runId },
        // A job id of its own per call, so running the same run's job again really runs it again.
        { jobId: `${runId}-${jobName}-${randomUUID().slice(0, 8)}`, attempts: 1 },
      );
      return (await job.waitUntilFinished(events, 90_000)) as JobOutcome;
    },
    async runNamedJob(queueOf, processor, name, data) {
      const { queue, events } = await handles(queueOf, processor);
      const job = await queue.add(name, data, { jobId: `${name}-${randomUUID()}`, attempts: 1 });
      return (await job.waitUntilFinished(events, 90_000)) as JobOutcome;
    },
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      for (const { queue, events } of queues.values())
        await Promise.allSettled([queue.close(), events.close()]);
      await clients.close();
      for (const connection of connections) connection.disconnect();
      await redis.cleanup();
      await db.drop();
      await sim.stop();
    },
  };
}
