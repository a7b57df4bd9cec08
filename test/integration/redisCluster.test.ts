/**
 * The queues and every Redis key of ours on a Redis Cluster: three masters on loopback, two real
 * worker processes, one sync from publish to candidates, over the Bulk API path.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../shared/config.js';
import { createSecretBox } from '../../shared/crypto/secretBox.js';
import { bindModels, ensureIndexes, type Models } from '../../shared/db/models.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import { startRun } from '../../shared/pipeline/runs.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { createRedisConnection, type RedisConnection } from '../../shared/redis.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redisCluster.js';
import { openTestDb, testId, type TestDb } from '../helpers/services.js';
import { startWorkerProcesses, type WorkerFleet } from '../helpers/workerProcesses.js';
import { seedOrgProfile, waitForRunToEnd } from '../worker/workerHarness.js';
import { Redis } from 'ioredis';

const USERS = 3_000;

let cluster: RedisCluster | undefined;
let sim: RunningSimulator | undefined;
let db: TestDb | undefined;
let models: Models;
let config: Config;
let connection: RedisConnection | undefined;
let fleet: WorkerFleet | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await startRedisCluster();
  sim = await startSimulator({ quiet: true, orgs: [{ users: USERS, seed: 71 }] });
  db = await openTestDb('cluster');
  models = bindModels(db.connection);
  await ensureIndexes(models);
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL: `redis://127.0.0.1:${cluster.nodes[0]?.port ?? 0}`,
    REDIS_CLUSTER_NODES: cluster.nodesSetting,
    REDIS_PREFIX: testId('cluster'),
    MONGO_URL: db.url,
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    // Bulk API 2.0 for this org too, so its polling and streaming also run through the cluster.
    SF_BULK_THRESHOLD_USERS: '1000',
    SF_BULK_POLL_FIRST_MS: '10',
    SF_BULK_POLL_MAX_MS: '150',
    WORKER_CONCURRENCY: '4',
  };
  config = loadConfig(env);
  connection = createRedisConnection(config.redis);
  fleet = await startWorkerProcesses(2, env, { readyTimeoutMs: 90_000 });
}, 240_000);

afterAll(async () => {
  await fleet?.killAll();
  if (connection) {
    await closeQueueHandles(connection);
    connection.disconnect();
  }
  await db?.drop();
  await sim?.stop();
  await cluster?.stop();
});

async function keysOn(node: { host: string; port: number }, pattern: string): Promise<string[]> {
  const client = new Redis({ host: node.host, port: node.port });
  try {
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

describe('a Redis Cluster', () => {
  it('when a profile is published with the queues on a three-node cluster, then its sync runs to candidates and every key of ours sits in the prefix’s slot', async () => {
    const [org] = sim!.orgs as [RunningSimulator['orgs'][number]];
    const prefix = config.redis.prefix;
    expect(prefix).toBe(`{${env.REDIS_PREFIX}}`);
    const box = createSecretBox(config.crypto);
    const profileId = await seedOrgProfile({ models, box }, org, { status: 'published' });
    const { runId } = await startRun(
      { redis: connection!, prefix, models },
      { profileId, trigger: 'publish', requestedBy: 'test' },
    );
    await waitForRunToEnd({ models }, profileId, 120_000).catch((error: unknown) => {
      const logs = fleet!.workers.map((w) => w.err().slice(-1500)).join('\n---\n');
      throw new Error(`${String(error)}\nworker stderr:\n${logs}`);
    });

    const jobs = await models.JobRun.find({ runId }).lean();
    const byName = Object.fromEntries(jobs.map((j) => [j.jobName, j]));
    expect(jobs.map((j) => [j.jobName, j.status, j.error?.message ?? null])).toEqual(
      jobs.map((j) => [j.jobName, 'succeeded', null]),
    );
    expect(byName.computeCandidates?.status).toBe('succeeded');
    expect(byName.downloadSubscriptions?.counts?.records).toBeGreaterThanOrEqual(USERS);
    expect(sim!.callLog.count({ orgId: org.orgId, area: 'bulk' })).toBeGreaterThan(0);

    // All on one node: BullMQ's queues (flows span them) and the org's shared call state.
    const home = await cluster!.nodeFor(`${prefix}:${QUEUE_NAMES.computeCandidates}:meta`);
    const ours = await keysOn(home, `${prefix}*`);
    expect(ours.some((k) => k.startsWith(`${prefix}:${QUEUE_NAMES.downloadSubscriptions}:`))).toBe(true);
    expect(ours).toContain(`${prefix}:sf:${org.orgId}:usage`);
    for (const node of cluster!.nodes.filter((n) => n.port !== home.port)) {
      expect(await keysOn(node, `${prefix}*`)).toEqual([]);
    }
  }, 180_000);
});
