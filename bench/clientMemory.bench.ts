/**
 * Memory of the Salesforce client while iterating a 1,000,000-user org through REST paging and
 * through Bulk API 2.0. The simulator runs in a child process so only the client's memory is
 * measured, and each path runs in a fresh client process of its own (a path's heap growth must
 * not count against the other). Needs Redis on 127.0.0.1:6379.
 * Run: npx tsx bench/clientMemory.bench.ts [users] [rest|bulk]
 * The client process has a worker's heap ceiling (shared/workerHeap.ts). RSS includes tsx's loader
 * (~75 MB over bare node); heapUsed is reported beside it.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { z } from 'zod';
import type { OrgTokens, QueryPage } from '../shared/salesforce/salesforceClient.js';
import { createSalesforceClients } from '../shared/salesforce/salesforceClients.js';
import { WORKER_NODE_FLAGS } from '../shared/workerHeap.js';

const WORKER_FLAG = '--client-worker';
const USERS = Number(process.argv[2] === WORKER_FLAG ? 0 : (process.argv[2] ?? 1_000_000));
const REDIS_URL = 'redis://127.0.0.1:6379';
const SOQL =
  'SELECT Id, Username, Name, Email, IsActive, UserType, LastLoginDate, CreatedDate, ProfileId, ' +
  'Profile.Name, Profile.UserLicense.Name, Profile.UserLicense.LicenseDefinitionKey, UserPermissionsSupportUser FROM User';
const userSchema = z.object({
  Id: z.string(),
  Username: z.string(),
  Name: z.string(),
  Email: z.string().nullable(),
  IsActive: z.boolean(),
  UserType: z.string(),
  LastLoginDate: z.string().nullable(),
  CreatedDate: z.string(),
  ProfileId: z.string().nullable(),
  Profile: z
    .object({
      Name: z.string(),
      UserLicense: z.object({ Name: z.string(), LicenseDefinitionKey: z.string() }).nullable(),
    })
    .nullable(),
  UserPermissionsSupportUser: z.boolean(),
});

const simInfoSchema = z.object({
  url: z.string(),
  orgs: z.array(
    z.object({ orgId: z.string(), instanceUrl: z.string(), clientId: z.string(), clientSecret: z.string() }),
  ),
});

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function startSimulatorProcess(): Promise<{ info: SimInfo; stop: () => void }> {
  // node itself, not npx: a signal to npx does not reach the simulator behind it.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulator/main.ts',
      '--port',
      '0',
      '--orgs',
      '1',
      '--users',
      String(USERS),
      '--seed',
      '7',
      // Memory, not time, is measured here: the Bulk job need not take as long as a real one.
      '--bulk-time-scale',
      '0.01',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const stop = (): void => {
    lines.close();
    child.stdout.destroy();
    child.kill('SIGTERM');
  };
  return { info: simInfoSchema.parse(JSON.parse(first)), stop };
}

/** Peak RSS while `run` executes, sampled every 20 ms. */
async function measure(label: string, run: () => Promise<number>): Promise<void> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let peakHeap = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  const records = await run();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  console.log(
    `${label}: ${records} records in ${seconds.toFixed(1)} s (${Math.round(records / seconds)} rec/s), ` +
      `peak RSS ${mb(peak)} (at start ${mb(baseline)}), peak heapUsed ${mb(peakHeap)}, ` +
      `process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
  );
}

async function countAll(pages: AsyncIterable<QueryPage<unknown>>): Promise<number> {
  let records = 0;
  for await (const page of pages) records += page.records.length;
  return records;
}

type SimInfo = z.infer<typeof simInfoSchema>;

/** One path in this process: the client against the simulator named in `info`. */
async function clientWorker(path: 'rest' | 'bulk', info: SimInfo): Promise<void> {
  const org = info.orgs[0];
  if (!org) throw new Error('simulator reported no org');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const clients = createSalesforceClients({
    config: {
      apiVersion: '62.0',
      timeoutMs: 120_000,
      budgetShare: 1,
      breakerFailures: 5,
      breakerResetMs: 30_000,
      orgConcurrency: 4,
      bulkThresholdUsers: 10_000,
      bulkPollFirstMs: 50,
      bulkPollMaxMs: 500,
      endpoints: { allowedHostSuffixes: [], insecureHttpHosts: ['127.0.0.1'] },
    },
    redis,
    prefix,
    log: pino({ level: 'warn' }),
  });
  // Client Credentials: the tokens live only in this process.
  let stored: OrgTokens | null = null;
  const store = {
    key: `bench:${org.orgId}`,
    current: () => Promise.resolve(stored),
    save: (tokens: OrgTokens) => {
      stored = tokens;
      return Promise.resolve(true);
    },
    markReauthorizationRequired: (_reason: string) => Promise.resolve(),
  };
  const client = clients.forOrg(
    {
      aliasId: 'bench',
      orgId: null,
      instanceUrl: org.instanceUrl,
      grantType: 'client_credentials',
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      tokens: null,
    },
    store,
  );
  try {
    await client.connect();
    if (path === 'rest') {
      await measure('REST query, 2000/page', () =>
        countAll(client.query(SOQL, userSchema, { batchSize: 2_000 })),
      );
    } else {
      await measure('Bulk API 2.0, 10000/page', () => countAll(client.bulkQuery(SOQL, userSchema)));
    }
    console.log(`  client calls: ${JSON.stringify(client.stats())}`);
  } finally {
    await clients.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === WORKER_FLAG) {
    const path = process.argv[3] === 'bulk' ? 'bulk' : 'rest';
    await clientWorker(path, simInfoSchema.parse(JSON.parse(process.argv[4] ?? '{}')));
    return;
  }
  const started = performance.now();
  const sim = await startSimulatorProcess();
  console.log(
    `simulator with ${USERS} users ready in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  try {
    const only = process.argv[3];
    for (const path of ['rest', 'bulk'].filter((p) => only === undefined || p === only)) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          ...WORKER_NODE_FLAGS,
          '--import',
          'tsx',
          'bench/clientMemory.bench.ts',
          WORKER_FLAG,
          path,
          JSON.stringify(sim.info),
        ],
        { maxBuffer: 1024 * 1024 },
      );
      process.stdout.write(stdout);
    }
  } finally {
    sim.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
