/**
 * What every benchmark scenario needs: a simulator with the benchmark latency model, a fresh stack
 * of real api + worker processes, and profiles connected and validated through the public API.
 */
import { Queue } from 'bullmq';
import { z } from 'zod';
import { createRedis } from '../shared/redis.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import type { SimulatorOrgInfo } from '../simulator/simulatorTypes.js';
import { compileBuild } from '../scripts/compiledBuild.js';
import { ensureServices, startStack, type RunningServices, type Stack } from '../scripts/localStack.js';
import {
  connectOrg,
  createApiDriver,
  pollUntil,
  runJobs,
  StepError,
  validateProfile,
  type ApiDriver,
  type JobRunView,
} from '../scripts/seatwiseApiDriver.js';
import { BENCH_LATENCY } from './lowerBound.js';

export interface BenchEnv {
  sim: RunningSimulator;
  stack: Stack;
  api: ApiDriver;
  /** Peak RSS per worker, sampled while the scenario runs (VmHWM is kept by the kernel). */
  workerPeakRssMb(): number[];
  /** Starts each worker's peak over, so that a later part of a scenario is measured alone. */
  resetWorkerPeakRss(): void;
  /**
   * Null while a worker is alive; once every worker has exited (a job that runs each out of heap
   * in turn), how the last one ended and the tail of its log: nobody is left to finish the run.
   */
  noWorkerLeft(): string | null;
  stop(): Promise<void>;
}

/** The services, and the compiled build api and workers run from (production's form). */
export interface BenchServices extends RunningServices {
  compiledDir: string;
}

export async function prepareBench(log: (line: string) => void): Promise<BenchServices> {
  const services = await ensureServices(log);
  log('compiling the server code as the image has it (tsc -p tsconfig.build.json)…');
  return { ...services, compiledDir: await compileBuild() };
}

export async function startBenchEnv(
  services: BenchServices,
  options: { orgs: number[]; workers: number; name: string; env?: Record<string, string>; seed?: number },
): Promise<BenchEnv> {
  const sim = await startSimulator({
    port: 0,
    quiet: true,
    seed: options.seed ?? 11,
    orgs: options.orgs.map((users, i) => ({
      users,
      seed: (options.seed ?? 11) + i,
      clientCredentialsUser: true,
      edition: 'Unlimited' as const,
      latency: {
        perCallMs: BENCH_LATENCY.perCallMs,
        perRecordMs: BENCH_LATENCY.perRecordMs,
        bulkPerRecordMs: BENCH_LATENCY.bulkPerRecordMs,
      },
      bulkTiming: BENCH_LATENCY.bulkTiming,
    })),
  });
  let stack: Stack;
  try {
    stack = await startStack({
      services,
      workers: options.workers,
      name: options.name,
      env: options.env,
      compiledDir: services.compiledDir,
    });
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return {
    sim,
    stack,
    api: createApiDriver(stack.apiUrl, stack.tokens.admin),
    workerPeakRssMb: () => stack.workers.map((w) => Math.round(w.peakRssMb() ?? 0)),
    resetWorkerPeakRss() {
      for (const w of stack.workers) w.resetPeakRss();
    },
    noWorkerLeft() {
      const ended = (w: (typeof stack.workers)[number]) =>
        w.child.exitCode !== null || w.child.signalCode !== null;
      if (!stack.workers.every(ended)) return null;
      const last = stack.workers.at(-1);
      if (!last) return null;
      const how = last.child.signalCode ?? `exit code ${String(last.child.exitCode)}`;
      return `every worker has exited; ${last.name} ended with ${how}:\n${last.output().slice(-1_500)}`;
    },
    async stop() {
      await stack.stop();
      await sim.stop();
    },
  };
}

export interface BenchProfile {
  org: SimulatorOrgInfo;
  profileId: string;
}

/** Parent alias for the first org, child aliases for the rest; Client Credentials; validated. */
export async function connectAll(env: BenchEnv, reclaim = false): Promise<BenchProfile[]> {
  const out: BenchProfile[] = [];
  let parentAliasId: string | undefined;
  for (const [i, org] of env.sim.orgs.entries()) {
    const connected = await connectOrg(env.api, {
      displayName: `Bench org ${i + 1} (${org.users} users)`,
      instanceUrl: org.instanceUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      grantType: 'client_credentials',
      reclaim,
      ...(parentAliasId ? { parentAliasId } : {}),
    });
    parentAliasId ??= connected.aliasId;
    out.push({ org, profileId: connected.profileId });
  }
  for (let i = 0; i < out.length; i += 8) {
    await Promise.all(out.slice(i, i + 8).map((p) => validateProfile(env.api, p.profileId)));
  }
  return out;
}

export function jobOf(jobs: JobRunView[], name: string): JobRunView | undefined {
  return jobs.find((j) => j.jobName === name);
}

/**
 * How often the benchmark asks the api whether a job has finished. Times are taken from the job
 * records, not from when the answer came, so a slow poll costs no accuracy; a fast one would: on
 * FerretDB each poll decodes every job record, and 12 profiles polled every 250 ms made a quarter
 * of its CPU time (pprof) in the many-orgs leg.
 */
const POLL_MS = 5_000;

/**
 * Waits, through the job queue in Redis (as an operator's Bull Board sees it), until every named
 * job has completed; a failed one fails the scenario. Used where many profiles run at once: asking
 * the api per profile decodes every job record per question on FerretDB, which at 40 profiles was
 * load on the very database being measured.
 */
export async function waitForQueueJobs(
  env: BenchEnv,
  queueName: string,
  jobIds: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const { REDIS_URL: url, REDIS_PREFIX: prefix } = env.stack.env;
  if (!url || !prefix) throw new Error('the stack has no Redis settings');
  const redis = createRedis(url);
  const queue = new Queue(queueName, { connection: redis, prefix });
  try {
    let pending = [...jobIds];
    await pollUntil(
      `${jobIds.length} ${queueName} jobs`,
      timeoutMs,
      async () => {
        const states = await Promise.all(
          pending.map(async (id) => ({ id, state: await queue.getJobState(id) })),
        );
        const failed = states.find((s) => s.state === 'failed');
        if (failed) {
          const job = await queue.getJob(failed.id);
          throw new StepError(queueName, `${failed.id} failed: ${job?.failedReason ?? 'no reason recorded'}`);
        }
        pending = states.filter((s) => s.state !== 'completed').map((s) => s.id);
        return pending.length === 0 ? true : undefined;
      },
      500,
    );
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Waits until `jobName` of the run has succeeded; a failed job fails the scenario with its error. */
export async function waitForJob(
  api: ApiDriver,
  profileId: string,
  runId: string,
  jobName: string,
  timeoutMs: number,
  /** Fails the wait at once when nobody is left to run the job (`BenchEnv.noWorkerLeft`). */
  noWorkerLeft: () => string | null = () => null,
): Promise<JobRunView[]> {
  return pollUntil(
    `run ${runId}`,
    timeoutMs,
    async () => {
      const gone = noWorkerLeft();
      if (gone) throw new StepError(`run ${runId}`, `${jobName} cannot finish: ${gone}`);
      const jobs = await runJobs(api, profileId, runId);
      const failed = jobs.find((j) => j.status === 'failed');
      if (failed)
        throw new StepError(`run ${runId}`, `${failed.jobName} failed: ${failed.error?.message ?? ''}`);
      return jobOf(jobs, jobName)?.status === 'succeeded' ? jobs : undefined;
    },
    POLL_MS,
  );
}

export const startedRun = z.object({ runId: z.string() });

export function ms(iso: string | null | undefined): number {
  if (!iso) throw new Error('missing timestamp');
  return new Date(iso).getTime();
}

/** The database a bench environment's processes use, from their MONGO_URL. */
export function dbNameOf(env: { stack: { env: Record<string, string> } }): string {
  return new URL(env.stack.env.MONGO_URL ?? 'mongodb://x/bench').pathname.slice(1);
}
