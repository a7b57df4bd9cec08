/**
 * The whole product on one machine, for the demo and the benchmark: Redis (the machine's, or one of
 * our own when none answers), a MongoDB-compatible server (MONGO_URL, or a FerretDB we start), and
 * real `api` / `worker` processes started exactly as an operator would start them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { childEnv, loadServiceEnv } from '../shared/config.js';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../shared/workerHeap.js';
import { freePort, startFerretdb, type RunningFerretdb } from './ferretdb.js';
import { lowerPriority } from './processPriority.js';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Peak resident set size (VmHWM) in MB, or null once the process is gone. */
  peakRssMb(): number | null;
  /** Starts the peak over from the current size (Linux `clear_refs` 5); false when refused. */
  resetPeakRss(): boolean;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node --import tsx <script>` so the pid is the service itself (RSS, signals). */
export function spawnService(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
  /** A compiled build to run `script` from (its `.js` twin there), as production does; else tsx. */
  compiledDir?: string,
): ServiceProcess {
  const entry = compiledDir
    ? [join(compiledDir, script.replace(/\.ts$/, '.js'))]
    : ['--import', 'tsx', script];
  const child = spawn(process.execPath, [...nodeFlags, ...entry], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  let size = 0;
  const keep = (c: Buffer) => {
    chunks.push(c.toString());
    size += c.length;
    // Keep the tail only: a long benchmark must not grow the harness with worker logs.
    while (size > 1_000_000 && chunks.length > 1) size -= (chunks.shift() ?? '').length;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = () => chunks.join('');
  return {
    name,
    child,
    exited,
    output,
    async waitForLine(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = output()
          .split('\n')
          .find((l) => pattern.test(l));
        if (line) return line;
        if (child.exitCode !== null) {
          throw new Error(`${name} exited (${child.exitCode}) before ready:\n${output().slice(-2000)}`);
        }
        if (Date.now() > deadline)
          throw new Error(`${name} not ready in ${timeoutMs} ms:\n${output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    peakRssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kb ? Number(kb) / 1024 : null;
      } catch {
        return null;
      }
    },
    resetPeakRss() {
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 1_500 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export interface RunningServices {
  redisUrl: string;
  /** Server part only; callers add a database name. */
  mongoUrl: string;
  stop(): Promise<void>;
}

/** Redis and MongoDB as the test setup finds or provisions them. */
export async function ensureServices(log: (line: string) => void): Promise<RunningServices> {
  const env = loadServiceEnv();
  const stops: (() => Promise<void>)[] = [];
  let redisUrl = env.redisUrl;
  if (!(await redisAnswers(redisUrl))) {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'seatwise-redis-'));
    log(`no Redis at ${redisUrl}: starting redis-server on port ${port}`);
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    redisUrl = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(redisUrl))) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    stops.push(async () => {
      server.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    });
  }
  let mongoUrl: string;
  let ferretdb: RunningFerretdb | undefined;
  if (env.mongoUrl) {
    const u = new URL(env.mongoUrl);
    u.pathname = '';
    mongoUrl = u.toString().replace(/\/$/, '');
  } else {
    ferretdb = await startFerretdb({
      handler: env.ferretdbHandler,
      postgresUrl: env.ferretdbPostgresUrl,
      log,
      yieldCpu: true,
    });
    mongoUrl = ferretdb.url;
    stops.push(() => ferretdb?.stop() ?? Promise.resolve());
  }
  return {
    redisUrl,
    mongoUrl,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}

export interface StackTokens {
  admin: string;
  operator: string;
}

export interface Stack {
  apiUrl: string;
  tokens: StackTokens;
  env: Record<string, string>;
  api: ServiceProcess;
  workers: ServiceProcess[];
  stop(): Promise<void>;
}

export interface StackOptions {
  services: RunningServices;
  workers: number;
  /** Unique per stack: its MongoDB database and Redis key prefix. */
  name: string;
  /** Extra settings for api and workers (SF_*, WORKER_CONCURRENCY…). */
  env?: Record<string, string>;
  apiPort?: number;
  /**
   * Run api and workers from this compiled build (`compileBuild`), as production does (`node
   * dist/worker/main.js`), rather than from source through tsx (`compiledBuild.ts`).
   */
  compiledDir?: string;
}

function newToken(): { token: string; sha256: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: createHash('sha256').update(token).digest('hex') };
}

/** One api and N worker processes sharing a fresh database and Redis prefix. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const admin = newToken();
  const operator = newToken();
  const port = options.apiPort ?? (await freePort());
  const apiUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    // Not production: the simulator is reached over plain http, which production refuses.
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    REDIS_URL: options.services.redisUrl,
    REDIS_PREFIX: options.name,
    MONGO_URL: `${options.services.mongoUrl}/${options.name.replace(/[^a-z0-9_-]/gi, '_')}`,
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    API_TOKENS: `demo-admin:admin:${admin.sha256},demo-operator:operator:${operator.sha256}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: apiUrl,
    SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    ...options.env,
  };
  const api = spawnService('api', 'api/main.ts', { ...env, LOG_LEVEL: 'info' }, [], options.compiledDir);
  const workers = Array.from({ length: options.workers }, (_, i) =>
    spawnService(
      `worker-${i + 1}`,
      'worker/main.ts',
      { ...env, ...WORKER_MALLOC_ENV, LOG_LEVEL: 'info' },
      WORKER_NODE_FLAGS,
      options.compiledDir,
    ),
  );
  for (const worker of workers) lowerPriority(worker.child);
  const all = [api, ...workers];
  try {
    await api.waitForLine(/api ready/, 60_000);
    await Promise.all(workers.map((w) => w.waitForLine(/worker ready/, 60_000)));
  } catch (error) {
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    throw error;
  }
  return {
    apiUrl,
    tokens: { admin: admin.token, operator: operator.token },
    env,
    api,
    workers,
    async stop() {
      await Promise.all(all.map((p) => p.stop('SIGTERM')));
    },
  };
}
