/**
 * `npm run demo [-- --keep-running] [--users 12000,800] [--seed 7]`: the whole product on the
 * embedded default. Local services, the simulator's two demo orgs, the api with Bull Board and two
 * workers; then the seed's setup through the public API only, the first runs, and a summary.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import { ensureConsoleBuilt } from './consoleBuild.js';
import { createProgressDisplay } from './demo/progressDisplay.js';
import { enterDemoPrices, savingsLines } from './demo/savingsDisplay.js';
import { ensureServices, startStack, type RunningServices, type Stack } from './localStack.js';
import {
  approveUserLicenseCandidates,
  candidateItem,
  connectOrg,
  createApiDriver,
  listAll,
  pollUntil,
  publishProfile,
  runJobs,
  StepError,
  validateProfile,
  type ApiDriver,
  type JobRunView,
} from './seatwiseApiDriver.js';

const { values: args } = parseArgs({
  options: {
    'keep-running': { type: 'boolean', default: false },
    /** With --keep-running: where to write the running stack's coordinates (scripts, tests). */
    'stack-info': { type: 'string' },
    users: { type: 'string', default: '12000,800' },
    seed: { type: 'string', default: '7' },
    approve: { type: 'string', default: '5' },
  },
});
const userCounts = z
  .array(z.coerce.number().int().min(10).max(2_000_000))
  .length(2)
  .parse(args.users.split(','));
const seed = z.coerce.number().int().parse(args.seed);
const approveCount = z.coerce.number().int().min(0).max(500).parse(args.approve);

const say = (line: string) => process.stdout.write(`${line}\n`);
let step = 'start';

interface DemoProfile {
  name: string;
  profileId: string;
  orgId: string;
  runId: string;
}

const PIPELINE = ['downloadSubscriptions', 'downloadConsumption', 'computeCandidates', 'reclaim'];

function runFinished(jobs: JobRunView[]): boolean {
  return jobs.some((j) => j.jobName === 'reclaim' && (j.status === 'succeeded' || j.status === 'failed'));
}

function runFailure(jobs: JobRunView[]): JobRunView | undefined {
  return jobs.find((j) => j.status === 'failed');
}

async function waitForRuns(api: ApiDriver, profiles: DemoProfile[]): Promise<void> {
  const display = createProgressDisplay();
  await pollUntil('first runs', 30 * 60_000, async () => {
    const states = await Promise.all(profiles.map((p) => runJobs(api, p.profileId, p.runId)));
    display.update(
      profiles.map((p, i) => {
        const jobs = states[i] ?? [];
        const done = jobs.filter((j) => j.status === 'succeeded').length;
        const active = jobs.find((j) => j.status === 'running' || j.status === 'delayed');
        return {
          name: p.name,
          fraction: done / PIPELINE.length,
          phase: runFinished(jobs) ? 'done' : active ? `${active.jobName} (${active.status})` : 'queued',
        };
      }),
    );
    for (const [i, jobs] of states.entries()) {
      const failed = runFailure(jobs);
      if (failed)
        throw new StepError(
          'first runs',
          `${profiles[i]?.name}: ${failed.jobName} failed: ${failed.error?.message ?? ''}`,
        );
    }
    return states.every(runFinished) ? true : undefined;
  });
  display.done();
}

const modelItem = z.object({
  identifier: z.string(),
  product: z.string(),
  label: z.string(),
  assignedCount: z.number(),
});

async function approveSome(api: ApiDriver, profile: DemoProfile): Promise<number> {
  if (approveCount === 0) return 0;
  return approveUserLicenseCandidates(api, profile.profileId, approveCount, '&sort=username');
}

const undoView = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  error: z.string().nullish(),
  users: z.array(z.object({ userId: z.string(), notRestored: z.array(z.unknown()) })),
});

/** Asks for the undo of a reclaim run and waits until the worker has put every user back. */
async function undoRun(
  api: ApiDriver,
  profileId: string,
  runId: string,
): Promise<{ restored: number; notRestored: number }> {
  const asked = await api.call('undo', 'POST', `/api/v1/profiles/${profileId}/undo`, undoView, { runId });
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    const undo = await api.call(
      'undo status',
      'GET',
      `/api/v1/profiles/${profileId}/undos/${asked.id}`,
      undoView,
    );
    if (undo.status === 'failed') throw new StepError('undo', undo.error ?? 'the undo failed');
    if (undo.status === 'done') {
      const notRestored = undo.users.filter((u) => u.notRestored.length > 0).length;
      return { restored: undo.users.length - notRestored, notRestored };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new StepError('undo', 'the undo did not finish within 120 s');
}

const summaryView = z.object({
  softwareModels: z.number(),
  unrecognizedIdentifiers: z.number(),
  subscriptions: z.object({ users: z.number(), rows: z.number() }),
  candidates: z.object({
    byIdentifier: z.record(z.string(), z.number()),
    byStatus: z.record(z.string(), z.number()),
  }),
});

async function summarize(api: ApiDriver, sim: RunningSimulator, profile: DemoProfile): Promise<void> {
  const models = await listAll(api, profile.profileId, 'software-models', modelItem, '&sort=-assignedCount');
  // The counts in one request the api answers from compact data (snapshot summary, candidate
  // ledger): list queries with their totals each decoded a whole collection on FerretDB.
  const summary = await api.call(
    'read summary',
    'GET',
    `/api/v1/profiles/${profile.profileId}/summary`,
    summaryView,
  );
  const byStatus = (status: string) => summary.candidates.byStatus[status] ?? 0;
  const frozen = (
    await listAll(api, profile.profileId, 'removal-candidates', candidateItem, '&status=frozen')
  ).filter((c) => c.deactivateAfter);
  const usage = sim.admin.apiUsage(profile.orgId);
  say('');
  say(`## ${profile.name}`);
  say(
    `software models: ${summary.softwareModels}   subscriptions: ${summary.subscriptions.rows}   unrecognized identifiers: ${summary.unrecognizedIdentifiers}`,
  );
  say('subscriptions by license:');
  for (const m of models.filter((m) => m.assignedCount > 0))
    say(`  ${m.product.padEnd(34)} ${String(m.assignedCount).padStart(7)}  ${m.identifier}`);
  say('removal candidates by rule:');
  for (const [identifier, n] of Object.entries(summary.candidates.byIdentifier).sort((a, b) => b[1] - a[1]))
    say(`  ${identifier.padEnd(34)} ${String(n).padStart(7)}`);
  const due = frozen.map((c) => c.deactivateAfter as string).sort()[0];
  say(
    `reclaim: frozen ${frozen.length}${due ? ` (deactivation due from ${due.slice(0, 10)}, after the 7-day grace)` : ''}   deactivated: ${byStatus('reclaimed')}   restored by undo: ${byStatus('restored')}   failed: ${byStatus('failed')}`,
  );
  say(
    `Salesforce API calls: ${usage.used} of the org's daily ${usage.max} (${((100 * usage.used) / usage.max).toFixed(2)}%)`,
  );
  for (const line of await savingsLines(api, profile.profileId)) say(line);
}

/**
 * The running stack's coordinates, for scripts and tests that look inside it after the flow (the
 * secrets scan): URLs, its admin token, Redis prefix, database, encryption keys and the api's and
 * workers' logs so far. Holds credentials: written owner-only, and only when asked for.
 */
async function writeStackInfo(path: string, sim: RunningSimulator, stack: Stack): Promise<void> {
  const info = {
    simulatorUrl: sim.url,
    apiUrl: stack.apiUrl,
    tokens: stack.tokens,
    redisUrl: stack.env.REDIS_URL,
    redisPrefix: stack.env.REDIS_PREFIX,
    mongoUrl: stack.env.MONGO_URL,
    encryptionKeys: stack.env.ENCRYPTION_KEYS,
    logs: { api: stack.api.output(), workers: stack.workers.map((w) => w.output()) },
  };
  await writeFile(path, JSON.stringify(info), { mode: 0o600 });
}

async function main(): Promise<void> {
  const began = Date.now();
  let services: RunningServices | undefined;
  let sim: RunningSimulator | undefined;
  let stack: Stack | undefined;
  const stopAll = async () => {
    await stack?.stop();
    await sim?.stop();
    await services?.stop();
  };
  try {
    step = 'local services';
    services = await ensureServices((line) => say(`  ${line}`));
    step = 'admin console build';
    // `npm run demo` builds it first (predemo); a direct `tsx scripts/demo.ts` may not have.
    await ensureConsoleBuilt();
    step = 'Salesforce simulator';
    sim = await startSimulator({
      port: 0,
      seed,
      quiet: true,
      orgs: [
        { users: userCounts[0] ?? 12_000, seed },
        { users: userCounts[1] ?? 800, seed: seed + 1, clientCredentialsUser: true },
      ],
    });
    say(
      `simulator: ${sim.url} (login host; orgs of ${userCounts.join(' and ')} users at ${sim.orgs.map((o) => o.instanceUrl).join(' and ')})`,
    );
    step = 'api and workers';
    stack = await startStack({ services, workers: 2, name: `demo_${Date.now().toString(36)}` });
    say(`api: ${stack.apiUrl}   workers: 2`);
    const api = createApiDriver(stack.apiUrl, stack.tokens.admin);
    const [orgA, orgB] = sim.orgs;
    if (!orgA || !orgB) throw new StepError('Salesforce simulator', 'expected two orgs');

    step = 'setup';
    const a = await connectOrg(api, {
      displayName: 'Acme Sales',
      instanceUrl: orgA.instanceUrl,
      clientId: orgA.clientId,
      clientSecret: orgA.clientSecret,
      grantType: 'authorization_code',
    });
    say('connected org 1: parent alias, Authorization Code with PKCE (browser redirect followed)');
    const b = await connectOrg(api, {
      displayName: 'Acme Support',
      instanceUrl: orgB.instanceUrl,
      clientId: orgB.clientId,
      clientSecret: orgB.clientSecret,
      grantType: 'client_credentials',
      parentAliasId: a.aliasId,
    });
    say('connected org 2: child alias, Client Credentials');
    await Promise.all([validateProfile(api, a.profileId), validateProfile(api, b.profileId)]);
    say('validated both profiles');
    const runStart = Date.now();
    const profiles: DemoProfile[] = [
      {
        name: 'Acme Sales',
        profileId: a.profileId,
        orgId: orgA.orgId,
        runId: await publishProfile(api, a.profileId),
      },
      {
        name: 'Acme Support',
        profileId: b.profileId,
        orgId: orgB.orgId,
        runId: await publishProfile(api, b.profileId),
      },
    ];
    say('published both profiles: first runs started');
    step = 'first runs';
    await waitForRuns(api, profiles);
    const firstRunSeconds = (Date.now() - runStart) / 1000;

    step = 'prices';
    for (const p of profiles) {
      say(
        `${p.name}: entered ${await enterDemoPrices(api, p.profileId)} list prices per seat per month (EUR)`,
      );
    }

    step = 'approve and reclaim';
    const toResync: DemoProfile[] = [];
    for (const p of profiles) {
      const approved = await approveSome(api, p);
      if (approved === 0) continue;
      say(`${p.name}: approved ${approved} candidates; re-sync to reclaim them`);
      toResync.push(p);
    }
    // Timed from the re-sync requests: the approvals above are the admin's part, not the run's.
    const resyncStart = Date.now();
    for (const p of toResync) {
      p.runId = (
        await api.call(
          're-sync',
          'POST',
          `/api/v1/profiles/${p.profileId}/sync`,
          z.object({ runId: z.string() }),
          {},
        )
      ).runId;
    }
    await waitForRuns(api, profiles);

    // Undo one org's reclaim run through the API, as an admin would after a wrong approval.
    step = 'undo';
    const undone = profiles[1];
    if (undone && approveCount > 0) {
      const result = await undoRun(api, undone.profileId, undone.runId);
      say(
        `${undone.name}: undo of reclaim run ${undone.runId}: ${result.restored} users restored (unfrozen), ${result.notRestored} not restored`,
      );
    }

    step = 'summary';
    say(`\nfirst runs finished in ${firstRunSeconds.toFixed(1)} s`);
    say(
      `approval re-sync (download, compute, reclaim) finished in ${((Date.now() - resyncStart) / 1000).toFixed(1)} s`,
    );
    const summaryStart = Date.now();
    for (const p of profiles) await summarize(api, sim, p);
    say(`\nsummary read through the api in ${((Date.now() - summaryStart) / 1000).toFixed(1)} s`);
    say(`\ndemo finished in ${((Date.now() - began) / 1000).toFixed(1)} s`);

    if (args['stack-info']) await writeStackInfo(args['stack-info'], sim, stack);
    if (args['keep-running']) {
      // A one-time code, not the admin token: it opens one browser session and is spent.
      const { code } = await api.call(
        'login code',
        'POST',
        '/api/v1/login-codes',
        z.object({ code: z.string(), expiresAt: z.string() }),
        {},
      );
      say(`\nAdmin console: ${stack.apiUrl}/admin/   (Bull Board: ${stack.apiUrl}/admin/queues)`);
      say(`one-time login code (admin; type it in the login form within 10 minutes, works once): ${code}`);
      say(`API:        ${stack.apiUrl}/api/v1/openapi.json`);
      say(`operator token (API and Bull Board): ${stack.tokens.operator}`);
      say('running; press Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    await stopAll();
  } catch (error) {
    const where = error instanceof StepError ? error.step : step;
    process.stderr.write(`demo failed at step "${where}": ${(error as Error).message}\n`);
    await stopAll().catch(() => undefined);
    process.exit(1);
  }
}

void main();
