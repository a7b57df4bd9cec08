/**
 * Real `worker/main.ts` processes for scale-out and crash tests: spawned with the test's services
 * (REDIS_URL / REDIS_PREFIX / MONGO_URL / ENCRYPTION_KEYS from the caller), waited on until they
 * log "worker ready", and stopped by SIGTERM (graceful) or SIGKILL (a crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WORKER_MALLOC_ENV, WORKER_NODE_FLAGS } from '../../shared/workerHeap.js';
import { childEnv } from '../../shared/config.js';

export interface WorkerProcess {
  index: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Crash: no shutdown, its jobs stay locked until another worker finds them stalled. */
  kill(): Promise<void>;
  /** Graceful: finishes its jobs in hand, then exits 0. */
  stop(): Promise<number | null>;
}

export interface WorkerFleet {
  workers: WorkerProcess[];
  /** Starts one more worker and waits until it is ready. */
  add(): Promise<WorkerProcess>;
  /** SIGKILLs whatever is still running. */
  killAll(): Promise<void>;
}

const READY = '"msg":"worker ready"';

export async function startWorkerProcesses(
  count: number,
  env: Record<string, string>,
  options: { readyTimeoutMs?: number } = {},
): Promise<WorkerFleet> {
  const workers: WorkerProcess[] = [];
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const add = async (): Promise<WorkerProcess> => {
    const index = workers.length;
    // LOG_LEVEL info at least, so "worker ready" reaches stdout whatever the test env says.
    const child = spawn('node', [...WORKER_NODE_FLAGS, '--import', 'tsx', 'worker/main.ts'], {
      env: childEnv({ ...env, ...WORKER_MALLOC_ENV, LOG_LEVEL: env.WORKER_LOG_LEVEL ?? 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const worker: WorkerProcess = {
      index,
      child,
      exited,
      out: () => stdout,
      err: () => stderr,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
    workers.push(worker);
    const deadline = Date.now() + readyTimeoutMs;
    while (!stdout.includes(READY)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `worker ${index} exited before ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
      if (Date.now() > deadline) {
        await worker.kill();
        throw new Error(`worker ${index} not ready within ${readyTimeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return worker;
  };

  await Promise.all(Array.from({ length: count }, () => add()));
  return {
    workers,
    add,
    async killAll() {
      await Promise.all(workers.map((w) => w.kill()));
    },
  };
}
