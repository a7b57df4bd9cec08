/**
 * `npm run bench [-- --quick] [--only big,many,reclaim,baseline,approve] [--sizes 5000,25000] [--orgs 12] [--workers 1,4] [--per-request 500] [--repeat 3]`:
 * seatwise end to end (real api and worker processes, FerretDB or MONGO_URL, Redis) against the
 * simulator at the benchmark latency model. The big-org leg also runs the straightforward baseline
 * (bench/baseline.ts) on the same org and database; `--only baseline` runs the baseline alone.
 * Prints markdown tables and writes bench/results/<timestamp>.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { approveUserLicenseCandidates, publishProfile } from '../scripts/seatwiseApiDriver.js';
import { approveBench } from './approveBench.js';
import {
  connectAll,
  dbNameOf,
  jobOf,
  ms,
  prepareBench,
  startBenchEnv,
  type BenchServices,
  startedRun,
  type BenchEnv,
  waitForJob,
  waitForQueueJobs,
} from './benchHarness.js';
import { QUEUE_NAMES } from '../shared/queues.js';
import { baselineOnly, runBaseline, type BaselineResult } from './baseline.js';
import { writeFloor, type WriteFloor } from './enginePeers.js';
import { BENCH_LATENCY, bulkJobMs, minimumSyncCalls, networkLowerBoundMs } from './lowerBound.js';
import { pollsUntil } from '../shared/salesforce/bulkPollSchedule.js';
import { loadConfig } from '../shared/config.js';
import { MAX_DECISION_IDS } from '../api/services/candidates.service.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'big,many,reclaim' },
    sizes: { type: 'string' },
    /** Many-orgs leg: how many orgs (default 40, quick 4) and which worker counts. */
    orgs: { type: 'string' },
    workers: { type: 'string', default: '1,2,4' },
    /** Approve leg: ids per decisions request (the endpoint takes up to 1,000). */
    'per-request': { type: 'string', default: '500' },
    /**
     * Many-orgs and reclaim legs: runs of each, reported as their median. On a two-core machine
     * the same build's four-worker leg took 27.0 to 35.5 s in one hour, so one run decides little.
     */
    repeat: { type: 'string', default: '1' },
  },
});
const only = new Set(args.only.split(','));
const sizes = z
  .array(z.coerce.number().int().min(100))
  .parse((args.sizes ?? (args.quick ? '5000,25000' : '5000,25000,100000,1000000')).split(','));
const workerCounts = z.array(z.coerce.number().int().min(1).max(16)).parse(args.workers.split(','));
const repeat = z.coerce.number().int().min(1).max(9).parse(args.repeat);
const say = (line: string) => process.stdout.write(`${line}\n`);
const SYNC_TIMEOUT = 45 * 60_000;

interface BigOrgResult {
  users: number;
  path: string;
  syncSeconds: number;
  /** Where the sync's time went: the download job, then candidates. */
  downloadSeconds: number;
  computeSeconds: number;
  apiCalls: number;
  minimumCalls: number;
  callsOverMinimumPct: number;
  documentsWritten: number;
  documentsPerSecond: number;
  workerPeakRssMb: number[];
  networkLowerBoundSeconds: number;
  ratioToLowerBound: number;
  /** Bulk status calls the users extract needs at the default poll schedule (0 on the REST path). */
  expectedStatusPolls: number;
  baseline: BaselineResult;
  /** seatwise's sync time over the baseline's: below 1 means seatwise is faster. */
  ratioToBaseline: number;
  /** Inserting only the user documents and candidates the sync wrote (`enginePeers.ts`); null past `WRITE_FLOOR_MAX_USERS`. */
  writeFloor: WriteFloor | null;
  /** (network lower bound + write floor) over the baseline's time: what no design storing the same documents can beat. */
  floorToBaseline: number | null;
  /** The same org synced again with nothing changed: request → candidates, and its two jobs. */
  resyncSeconds: number;
  /** Counted calls of the re-sync (download and consumption), where the Bulk jobs' pace is known. */
  resyncApiCalls: number;
  resyncDownloadSeconds: number;
  resyncComputeSeconds: number;
  /** Peak RSS per worker from the first sync's end on: the baseline, the write floor and the re-sync. */
  resyncWorkerPeakRssMb: number[];
  /** Each list endpoint, 100 rows in its default sort: first and last page, ms, as a person asks. */
  lists: ListPageTimes[];
}

interface ListPageTimes {
  list: string;
  total: number;
  firstPageMs: number;
  lastPageMs: number;
  failed: string | null;
}

const LISTS = ['subscriptions', 'removal-candidates', 'software-models', 'runs'] as const;
const listPage = z.object({ items: z.array(z.unknown()), total: z.number().int() });

/** First and last page of each list, 100 rows, default sort; each a fresh query (no cached answer). */
async function listPageTimes(api: BenchEnv['api'], profileId: string): Promise<ListPageTimes[]> {
  const out: ListPageTimes[] = [];
  for (const list of LISTS) {
    const timed = async (offset: number) => {
      const started = performance.now();
      const page = await api.call(
        `list ${list}`,
        'GET',
        `/api/v1/profiles/${profileId}/${list}?limit=100&offset=${offset}`,
        listPage,
      );
      return { page, ms: performance.now() - started };
    };
    // A page past the api's time limit is a figure too, not the end of the benchmark.
    const row: ListPageTimes = { list, total: -1, firstPageMs: NaN, lastPageMs: NaN, failed: null };
    try {
      const first = await timed(0);
      Object.assign(row, { total: first.page.total, firstPageMs: first.ms });
      row.lastPageMs = (await timed(Math.max(0, first.page.total - 100))).ms;
    } catch (error) {
      row.failed = (error as Error).message;
    }
    out.push(row);
  }
  return out;
}

/** The write floor holds every document of the sync in the bench's memory: measured up to here. */
const WRITE_FLOOR_MAX_USERS = 200_000;

async function bigOrg(services: BenchServices, users: number): Promise<BigOrgResult> {
  const env = await startBenchEnv(services, {
    orgs: [users],
    workers: 2,
    name: `bench_big_${users}_${Date.now().toString(36)}`,
  });
  try {
    const [profile] = await connectAll(env);
    if (!profile) throw new Error('no profile');
    const truth = env.sim.admin.truth(profile.org.orgId);
    env.sim.callLog.reset();
    const publishedAt = Date.now();
    const runId = await publishProfile(env.api, profile.profileId);
    const jobs = await waitForJob(env.api, profile.profileId, runId, 'computeCandidates', SYNC_TIMEOUT, () =>
      env.noWorkerLeft(),
    );
    const computed = jobOf(jobs, 'computeCandidates');
    const download = jobOf(jobs, 'downloadSubscriptions');
    await waitForJob(env.api, profile.profileId, runId, 'downloadConsumption', 60_000);
    const syncMs = ms(computed?.finishedAt) - publishedAt;
    // The first sync's peak alone: the re-sync's is measured from here.
    const workerPeakRssMb = env.workerPeakRssMb();
    env.resetWorkerPeakRss();
    const apiCalls = env.sim.callLog.count({ orgId: profile.org.orgId, counted: true });
    const minimumCalls = minimumSyncCalls({
      users,
      permissionSetLicenseAssignments: truth.permissionSetLicenseAssignments,
      packageLicenseAssignments: truth.packageLicenseAssignments,
    });
    const written = (download?.counts?.writes ?? 0) + (computed?.counts?.writes ?? 0);
    const writingMs = ms(computed?.finishedAt) - ms(download?.startedAt);
    const lowerBound = networkLowerBoundMs({
      users,
      permissionSetLicenseAssignments: 0,
      packageLicenseAssignments: 0,
    });
    const path =
      env.sim.callLog.count({ orgId: profile.org.orgId, area: 'bulk' }) > 0 ? 'Bulk API 2.0' : 'REST';
    // Same org, latency model and database server, once seatwise's processes are idle.
    say(`  baseline on the same org…`);
    const baseline = await runBaseline(env.sim, profile.org, services.mongoUrl, `${dbNameOf(env)}_baseline`);
    let floor: WriteFloor | null = null;
    if (users <= WRITE_FLOOR_MAX_USERS) {
      say(`  write floor: the same documents, inserted alone…`);
      floor = await writeFloor(services.mongoUrl, dbNameOf(env), profile.profileId, runId);
    }
    // A re-sync must never cost more than the first sync: same org, nothing changed in it.
    say(`  re-sync of the same org…`);
    // The baseline read the same org: only the re-sync's own calls count from here.
    env.sim.callLog.reset();
    const resyncAt = Date.now();
    const { runId: resyncId } = await env.api.call(
      're-sync',
      'POST',
      `/api/v1/profiles/${profile.profileId}/sync`,
      startedRun,
      {},
    );
    const again = await waitForJob(
      env.api,
      profile.profileId,
      resyncId,
      'computeCandidates',
      SYNC_TIMEOUT,
      () => env.noWorkerLeft(),
    );
    await waitForJob(env.api, profile.profileId, resyncId, 'downloadConsumption', 60_000);
    const resyncApiCalls = env.sim.callLog.count({ orgId: profile.org.orgId, counted: true });
    const againDownload = jobOf(again, 'downloadSubscriptions');
    const againCompute = jobOf(again, 'computeCandidates');
    say(`  list pages…`);
    const lists = await listPageTimes(env.api, profile.profileId);
    return {
      lists,
      users,
      path,
      syncSeconds: syncMs / 1000,
      downloadSeconds: (ms(download?.finishedAt) - ms(download?.startedAt)) / 1000,
      computeSeconds: (ms(computed?.finishedAt) - ms(computed?.startedAt)) / 1000,
      apiCalls,
      minimumCalls,
      callsOverMinimumPct: (100 * (apiCalls - minimumCalls)) / minimumCalls,
      documentsWritten: written,
      documentsPerSecond: Math.round(written / (writingMs / 1000)),
      workerPeakRssMb,
      resyncWorkerPeakRssMb: env.workerPeakRssMb(),
      networkLowerBoundSeconds: lowerBound / 1000,
      ratioToLowerBound: syncMs / lowerBound,
      expectedStatusPolls: path === 'REST' ? 0 : pollsUntil(bulkJobMs(users), DEFAULT_POLL).polls,
      baseline,
      ratioToBaseline: syncMs / 1000 / baseline.seconds,
      writeFloor: floor,
      floorToBaseline: floor && (lowerBound / 1000 + floor.seconds) / baseline.seconds,
      resyncSeconds: (ms(againCompute?.finishedAt) - resyncAt) / 1000,
      resyncApiCalls,
      resyncDownloadSeconds: (ms(againDownload?.finishedAt) - ms(againDownload?.startedAt)) / 1000,
      resyncComputeSeconds: (ms(againCompute?.finishedAt) - ms(againCompute?.startedAt)) / 1000,
    };
  } finally {
    await env.stop();
  }
}

/** The poll schedule a deployment gets without settings (SF_BULK_POLL_*). */
const DEFAULT_POLL = (() => {
  const { bulkPollFirstMs, bulkPollMaxMs } = loadConfig({
    ENCRYPTION_KEYS: `k:${Buffer.alloc(32).toString('base64')}`,
  }).salesforce;
  return { firstMs: bulkPollFirstMs, maxMs: bulkPollMaxMs };
})();

interface ManyOrgsResult {
  workers: number;
  orgs: number;
  usersPerOrg: number;
  /** The median of `runs`. */
  totalSeconds: number;
  runs: number[];
  speedUp: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `12.3` for one run; `12.3 (11.8–14.0)` for the median of several and their range. */
function spread(values: readonly number[]): string {
  const m = median(values).toFixed(1);
  if (values.length === 1) return m;
  return `${m} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
}

async function manyOrgs(
  services: BenchServices,
  workers: number,
  orgs: number,
  usersPerOrg: number,
): Promise<number> {
  const env = await startBenchEnv(services, {
    orgs: Array.from({ length: orgs }, () => usersPerOrg),
    workers,
    name: `bench_many_${workers}_${Date.now().toString(36)}`,
    // One job per queue per process: the number of processes is the only parallelism measured.
    env: { WORKER_CONCURRENCY: '1' },
  });
  try {
    const profiles = await connectAll(env);
    const started = Date.now();
    const runs = await Promise.all(
      profiles.map(async (p) => ({ p, runId: await publishProfile(env.api, p.profileId) })),
    );
    await waitForQueueJobs(
      env,
      QUEUE_NAMES.computeCandidates,
      runs.map(({ runId }) => `${runId}-computeCandidates`),
      SYNC_TIMEOUT,
    );
    // Each profile's job record says when its candidates were done.
    const finished = await Promise.all(
      runs.map(async ({ p, runId }) => {
        const jobs = await waitForJob(env.api, p.profileId, runId, 'computeCandidates', 60_000);
        return ms(jobOf(jobs, 'computeCandidates')?.finishedAt);
      }),
    );
    return (Math.max(...finished) - started) / 1000;
  } finally {
    await env.stop();
  }
}

const statusCounts = z.object({
  candidates: z.object({ byStatus: z.record(z.string(), z.number().int()) }),
});

interface ReclaimResult {
  approved: number;
  reclaimSeconds: number;
  /** PATCH calls of the reclaim job: the freeze of the first phase (rules freeze before deactivating). */
  writeCalls: number;
  assignmentDeleteCalls: number;
  /** Salesforce reads of the re-check at the write (users, logins), made during the reclaim job. */
  recheckReads: number;
  minimumCalls: number;
  frozen: number;
  reclaimed: number;
  failed: number;
}

async function reclaimBench(services: BenchServices, approve: number, users: number): Promise<ReclaimResult> {
  const env = await startBenchEnv(services, {
    orgs: [users],
    workers: 2,
    name: `bench_reclaim_${Date.now().toString(36)}`,
  });
  try {
    const [profile] = await connectAll(env, true);
    if (!profile) throw new Error('no profile');
    const first = await publishProfile(env.api, profile.profileId);
    await waitForJob(env.api, profile.profileId, first, 'reclaim', SYNC_TIMEOUT, () => env.noWorkerLeft());
    // The set-up, not the measure: as few requests as the endpoint allows.
    const approved = await approveUserLicenseCandidates(
      env.api,
      profile.profileId,
      approve,
      '',
      MAX_DECISION_IDS,
    );
    if (approved < approve) throw new Error(`only ${approved} user-license candidates; need ${approve}`);
    env.sim.callLog.reset();
    const { runId } = await env.api.call(
      're-sync',
      'POST',
      `/api/v1/profiles/${profile.profileId}/sync`,
      startedRun,
      {},
    );
    const jobs = await waitForJob(env.api, profile.profileId, runId, 'reclaim', SYNC_TIMEOUT, () =>
      env.noWorkerLeft(),
    );
    const reclaim = jobOf(jobs, 'reclaim');
    // Counts from the summary: paging 20,000 candidates through the list endpoint timed out at
    // offset 18,000 (each page sorts them all on FerretDB).
    const { candidates: after } = await env.api.call(
      'read summary',
      'GET',
      `/api/v1/profiles/${profile.profileId}/summary`,
      statusCounts,
    );
    const count = (status: string) => after.byStatus[status] ?? 0;
    const during = env.sim.callLog
      .entries({ orgId: profile.org.orgId })
      .filter((e) => ms(e.time) >= ms(reclaim?.startedAt) && ms(e.time) <= ms(reclaim?.finishedAt));
    return {
      approved,
      reclaimSeconds: (ms(reclaim?.finishedAt) - ms(reclaim?.startedAt)) / 1000,
      writeCalls: during.filter((e) => e.method === 'PATCH' && e.path.includes('composite/sobjects')).length,
      assignmentDeleteCalls: during.filter((e) => e.method === 'DELETE').length,
      // A composite call carries a batch's User and UserLogin queries and counts once.
      recheckReads: during.filter(
        (e) => (e.method === 'GET' && e.path.includes('/query')) || e.path.endsWith('/composite'),
      ).length,
      minimumCalls: Math.ceil(approved / 200),
      frozen: count('frozen'),
      reclaimed: count('reclaimed'),
      failed: count('failed'),
    };
  } finally {
    await env.stop();
  }
}

function table(headers: string[], rows: (string | number)[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const services = await prepareBench((line) => say(`  ${line}`));
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const latency = `${BENCH_LATENCY.perCallMs} ms per call + ${BENCH_LATENCY.perRecordMs} ms per record (Bulk: ${BENCH_LATENCY.bulkPerRecordMs} ms per CSV row; jobs at real time, scale ${BENCH_LATENCY.bulkTiming.timeScale})`;
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine,
    latency,
    quick: args.quick,
  };
  say(`# seatwise benchmark\n\nmachine: ${machine}\nlatency model: ${latency}\n`);
  try {
    if (only.has('big')) {
      const rows: BigOrgResult[] = [];
      for (const users of sizes) {
        say(`big org: ${users} users…`);
        rows.push(await bigOrg(services, users));
      }
      results.bigOrg = rows;
      say(
        table(
          [
            'users',
            'path',
            'sync (s)',
            'download + candidates (s)',
            'API calls / minimum',
            'docs written/s',
            'worker peak RSS (MB): sync; re-sync',
            'network lower bound (s)',
            'measured / bound',
            'Bulk status calls (model)',
            'baseline (s), calls',
            'seatwise / baseline',
            'write floor (s): docs',
            '(bound + floor) / baseline',
            're-sync (s): download + candidates',
            're-sync API calls / minimum',
          ],
          rows.map((r) => [
            r.users,
            r.path,
            r.syncSeconds.toFixed(1),
            `${r.downloadSeconds.toFixed(1)} + ${r.computeSeconds.toFixed(1)}`,
            `${r.apiCalls} / ${r.minimumCalls} (+${r.callsOverMinimumPct.toFixed(1)}%)`,
            r.documentsPerSecond,
            `${r.workerPeakRssMb.join(', ')}; ${r.resyncWorkerPeakRssMb.join(', ')}`,
            r.networkLowerBoundSeconds.toFixed(2),
            `${r.ratioToLowerBound.toFixed(1)}×`,
            r.expectedStatusPolls,
            `${r.baseline.seconds.toFixed(1)}, ${r.baseline.apiCalls}`,
            `${r.ratioToBaseline.toFixed(2)}×`,
            r.writeFloor
              ? `${r.writeFloor.seconds.toFixed(1)}: ${r.writeFloor.userDocuments} + ${r.writeFloor.candidates}`
              : '-',
            r.floorToBaseline === null ? '-' : `${r.floorToBaseline.toFixed(2)}×`,
            `${r.resyncSeconds.toFixed(1)}: ${r.resyncDownloadSeconds.toFixed(1)} + ${r.resyncComputeSeconds.toFixed(1)}`,
            `${r.resyncApiCalls} / ${r.minimumCalls}`,
          ]),
        ),
      );
      say(
        table(
          ['users', 'list', 'rows', 'first page (ms)', 'last page (ms)'],
          rows.flatMap((r) =>
            r.lists.map((l) => [
              r.users,
              l.list,
              l.total,
              Number.isNaN(l.firstPageMs) ? `failed: ${l.failed?.slice(0, 100)}` : Math.round(l.firstPageMs),
              Number.isNaN(l.lastPageMs) ? `failed: ${l.failed?.slice(0, 100)}` : Math.round(l.lastPageMs),
            ]),
          ),
        ),
      );
    }
    if (only.has('baseline') && !only.has('big')) {
      const rows: BaselineResult[] = [];
      for (const users of sizes) {
        say(`baseline: ${users} users…`);
        rows.push(await baselineOnly(services.mongoUrl, users));
      }
      results.baseline = rows;
      say(
        table(
          ['users', 'baseline (s)', 'API calls', 'docs written/s'],
          rows.map((r) => [
            r.users,
            r.seconds.toFixed(1),
            r.apiCalls,
            Math.round(r.documentsWritten / r.seconds),
          ]),
        ),
      );
    }
    if (only.has('many')) {
      // Quick: few enough orgs that the three legs fit the quick run's three minutes.
      const orgs = z.coerce
        .number()
        .int()
        .min(1)
        .parse(args.orgs ?? (args.quick ? 4 : 40));
      const usersPerOrg = 2_500;
      // Rounds of every worker count in turn, so that a machine's drift weighs on each alike.
      const runs = new Map<number, number[]>(workerCounts.map((w) => [w, []]));
      for (let round = 1; round <= repeat; round += 1)
        for (const workers of workerCounts) {
          const of = repeat > 1 ? ` (run ${round} of ${repeat})` : '';
          say(`many orgs: ${orgs} × ${usersPerOrg} users, ${workers} worker(s)${of}…`);
          runs.get(workers)?.push(await manyOrgs(services, workers, orgs, usersPerOrg));
        }
      const rows: ManyOrgsResult[] = [];
      for (const workers of workerCounts) {
        const times = runs.get(workers) ?? [];
        const totalSeconds = median(times);
        rows.push({
          workers,
          orgs,
          usersPerOrg,
          totalSeconds,
          runs: times,
          speedUp: (rows[0]?.totalSeconds ?? totalSeconds) / totalSeconds,
        });
      }
      results.manyOrgs = rows;
      say(
        table(
          [
            'workers',
            'orgs × users',
            repeat > 1 ? `total (s), median (range) of ${repeat}` : 'total (s)',
            'speed-up over 1',
          ],
          rows.map((r) => [
            r.workers,
            `${r.orgs} × ${r.usersPerOrg}`,
            spread(r.runs),
            `${r.speedUp.toFixed(2)}×`,
          ]),
        ),
      );
    }
    if (only.has('approve')) {
      const approve = args.quick ? 2_000 : 10_000;
      say(`approve: ${approve} candidates through the api…`);
      const perRequest = z.coerce.number().int().min(1).max(MAX_DECISION_IDS).parse(args['per-request']);
      const r = await approveBench(services, approve, args.quick ? 8_000 : 40_000, perRequest);
      results.approve = r;
      say(
        table(
          [
            'users',
            'candidates',
            'approved',
            'ids per request',
            'approve (s)',
            'approved/s',
            'updateMany peer (s), approved',
            'update floor (s), updated',
          ],
          [
            [
              r.users,
              r.candidates,
              r.approved,
              r.perRequest,
              r.approveSeconds.toFixed(1),
              Math.round(r.approved / r.approveSeconds),
              `${r.peer.seconds.toFixed(1)}, ${r.peer.approved}`,
              `${r.peer.floorSeconds.toFixed(1)}, ${r.peer.floorUpdated}`,
            ],
          ],
        ),
      );
    }
    if (only.has('reclaim')) {
      const approve = args.quick ? 400 : 10_000;
      const runs: ReclaimResult[] = [];
      for (let round = 1; round <= repeat; round += 1) {
        say(`reclaim: ${approve} approved candidates${repeat > 1 ? ` (run ${round} of ${repeat})` : ''}…`);
        runs.push(await reclaimBench(services, approve, args.quick ? 3_000 : 40_000));
      }
      const times = runs.map((run) => run.reclaimSeconds);
      // The middle run (the lower of two): its calls and outcomes are reported beside the median.
      const byTime = [...runs].sort((a, b) => a.reclaimSeconds - b.reclaimSeconds);
      const r = byTime[Math.floor((byTime.length - 1) / 2)] as ReclaimResult;
      results.reclaim = { ...r, runs: times };
      say(
        table(
          [
            'approved',
            repeat > 1 ? `reclaim (s), median (range) of ${repeat}` : 'reclaim (s)',
            'write calls / minimum',
            're-check reads',
            'assignment delete calls',
            'frozen (first phase)',
            'deactivated',
            'failed (refused by Salesforce)',
          ],
          [
            [
              r.approved,
              spread(times),
              `${r.writeCalls} / ${r.minimumCalls}`,
              r.recheckReads,
              r.assignmentDeleteCalls,
              r.frozen,
              r.reclaimed,
              r.failed,
            ],
          ],
        ),
      );
    }
  } finally {
    await services.stop();
  }
  await mkdir('bench/results', { recursive: true });
  const file = `bench/results/${new Date().toISOString().replaceAll(':', '-')}.json`;
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`\nresults: ${file}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
});
