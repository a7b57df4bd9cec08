/**
 * Schedules are rebuilt from the published profiles: after the private Redis loses every key
 * (FLUSHALL), each published profile has its scheduler again within the reconcile interval, and
 * two reconcilers at once (two workers) leave exactly one scheduler per profile.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindModels, type Models } from '../../shared/db/models.js';
import { closeQueueHandles } from '../../shared/pipeline/queueHandles.js';
import type { PipelineDeps } from '../../shared/pipeline/runs.js';
import { scheduleProfile } from '../../shared/pipeline/runs.js';
import {
  startScheduleReconciler,
  type ScheduleReconciler,
} from '../../shared/pipeline/scheduleReconciler.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/privateRedis.js';
import { openTestDb, testId, type TestDb } from '../helpers/services.js';

const INTERVAL_MS = 1_000;
let privateRedis: PrivateRedis;
let db: TestDb;
let redis: Redis;
let models: Models;
let deps: PipelineDeps;
let scheduled: Queue;
const reconcilers: ScheduleReconciler[] = [];

beforeAll(async () => {
  privateRedis = await startPrivateRedis();
  db = await openTestDb('reconcile');
  models = bindModels(db.connection);
  redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
  deps = { redis, prefix: testId('reconcile'), models };
  scheduled = new Queue(QUEUE_NAMES.scheduledRun, { connection: redis, prefix: deps.prefix });
});

afterAll(async () => {
  for (const r of reconcilers) await r.stop();
  await scheduled?.close();
  await closeQueueHandles(redis);
  redis?.disconnect();
  await privateRedis?.close();
  await db?.drop();
});

async function profile(
  status: 'draft' | 'published' | 'paused',
  schedule?: { cron: string; timezone: string },
): Promise<string> {
  const name = testId('p');
  const doc = await models.IntegrationProfile.create({
    displayName: name,
    displayNameKey: name,
    status,
    createdBy: 't',
    updatedBy: 't',
    ...(schedule ? { schedule } : {}),
  });
  return String(doc._id);
}

async function schedulerMap(): Promise<Record<string, string>> {
  const all = await scheduled.getJobSchedulers(0, -1, true);
  return Object.fromEntries(all.map((s) => [s.key, `${s.pattern} ${s.tz ?? 'UTC'}`]));
}

describe('schedule reconciliation', () => {
  it('when Redis loses all its data, then every published profile is scheduled again within the interval, once, and nothing else is', async () => {
    const published = [
      await profile('published', { cron: '15 4 * * *', timezone: 'Europe/Paris' }),
      await profile('published', { cron: '0 */6 * * *', timezone: 'UTC' }),
      await profile('published'),
    ];
    const draft = await profile('draft');
    const paused = await profile('paused');
    const expected = {
      [`profile-${published[0]}`]: '15 4 * * * Europe/Paris',
      [`profile-${published[1]}`]: '0 */6 * * * UTC',
      [`profile-${published[2]}`]: '0 3 * * * UTC',
    };
    // A stray scheduler of a profile that is no longer published (an unpublish that died halfway).
    await scheduleProfile(deps, paused);

    // Two workers' reconcilers at once.
    const log = pino({ level: 'silent' });
    reconcilers.push(startScheduleReconciler(deps, INTERVAL_MS, log));
    reconcilers.push(startScheduleReconciler(deps, INTERVAL_MS, log));
    await Promise.all(reconcilers.map((r) => r.firstPass));
    expect(await schedulerMap()).toEqual(expected);

    await redis.flushall();
    expect(await schedulerMap()).toEqual({});
    const started = Date.now();
    while (Object.keys(await schedulerMap()).length < published.length) {
      expect(Date.now() - started, 'schedulers back within the interval').toBeLessThan(INTERVAL_MS + 2_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Let both reconcilers pass once more: still exactly one scheduler and one next tick each.
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 1.5));
    expect(await schedulerMap()).toEqual(expected);
    const ticks = await scheduled.getJobs(['delayed', 'waiting', 'prioritized']);
    expect(
      ticks
        .map((j) => j.data as { profileId: string })
        .map((d) => d.profileId)
        .sort(),
    ).toEqual([...published].sort());
    expect(Object.keys(await schedulerMap())).not.toContain(`profile-${draft}`);
  }, 30_000);
});
