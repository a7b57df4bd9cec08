/**
 * Schedules live in Redis (BullMQ job schedulers); the published profiles in MongoDB are the truth.
 * After Redis loses its data, or a publish died between its two writes, the two disagree and a
 * published profile would never run again. Every worker reconciles them at start-up and every
 * `SCHEDULE_RECONCILE_INTERVAL_MS`: each published profile gets its scheduler (registered again
 * only when missing or different, by the same idempotent upsert publish uses, so several workers
 * reconciling at once converge on one scheduler), and a scheduler whose profile is not published
 * any more is removed (its ticks would only be skipped).
 */
import type { Logger } from '../logger.js';
import { schedulerIdFor, scheduledRunJob } from '../jobs/scheduledRun.js';
import { queueFor } from './queueHandles.js';
import { scheduleProfile, unscheduleProfile, type PipelineDeps } from './runs.js';

const DEFAULT_CRON = '0 3 * * *';
const DEFAULT_TZ = 'UTC';
const SCHEDULER_PREFIX = schedulerIdFor('');

export interface ReconcileResult {
  /** Published profiles whose scheduler was missing or stale and is registered again. */
  registered: string[];
  /** Schedulers removed because their profile is not published (or gone). */
  removed: string[];
  /** Published profiles whose schedule could not be registered (logged; the next pass retries). */
  failed: string[];
}

interface PublishedProfile {
  _id: unknown;
  schedule?: { cron?: string | null; timezone?: string | null } | null;
}

export async function reconcileSchedules(deps: PipelineDeps, log?: Logger): Promise<ReconcileResult> {
  const queue = queueFor(deps.redis, deps.prefix, scheduledRunJob.queue);
  // Schedulers first, profiles second: a profile published after this read is scheduled by its
  // publish, and one unpublished after the profile read loses its scheduler by its unpublish.
  const schedulers = new Map<string, { pattern?: string | null; tz?: string | null }>();
  for (let start = 0; ; start += 500) {
    const page = await queue.getJobSchedulers(start, start + 499, true);
    for (const s of page) schedulers.set(s.key, { pattern: s.pattern ?? null, tz: s.tz ?? null });
    if (page.length < 500) break;
  }
  const published = await deps.models.IntegrationProfile.find({ status: 'published' }, { schedule: 1 }).lean<
    PublishedProfile[]
  >();

  const result: ReconcileResult = { registered: [], removed: [], failed: [] };
  const wanted = new Set<string>();
  for (const profile of published) {
    const profileId = String(profile._id);
    const id = schedulerIdFor(profileId);
    wanted.add(id);
    const current = schedulers.get(id);
    const cron = profile.schedule?.cron ?? DEFAULT_CRON;
    const tz = profile.schedule?.timezone ?? DEFAULT_TZ;
    if (current && current.pattern === cron && (current.tz ?? DEFAULT_TZ) === tz) continue;
    try {
      await scheduleProfile(deps, profileId);
      result.registered.push(profileId);
    } catch (error) {
      result.failed.push(profileId);
      log?.warn({ profileId, err: error }, 'schedule reconcile: could not register the scheduler');
    }
  }
  for (const id of schedulers.keys()) {
    if (wanted.has(id) || !id.startsWith(SCHEDULER_PREFIX)) continue;
    const profileId = id.slice(SCHEDULER_PREFIX.length);
    // Read again: it may have been published since the list above was read.
    const profile = await deps.models.IntegrationProfile.findById(profileId, { status: 1 }).lean<{
      status: string;
    } | null>();
    if (profile?.status === 'published') continue;
    await unscheduleProfile(deps, profileId);
    result.removed.push(profileId);
  }
  if (result.registered.length + result.removed.length + result.failed.length > 0) {
    log?.info(
      {
        registered: result.registered.length,
        removed: result.removed.length,
        failed: result.failed.length,
      },
      'schedules reconciled with the published profiles',
    );
  }
  return result;
}

export interface ScheduleReconciler {
  /** Resolves once the first pass (at start-up) is done, whatever its outcome. */
  firstPass: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a pass now and then every `intervalMs`, one at a time. A failed pass (Redis or MongoDB
 * unreachable) is logged and the next one tries again.
 */
export function startScheduleReconciler(
  deps: PipelineDeps,
  intervalMs: number,
  log: Logger,
): ScheduleReconciler {
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const pass = (): Promise<void> => {
    busy = true;
    running = reconcileSchedules(deps, log)
      .then(
        () => undefined,
        (error: unknown) => log.warn({ err: error }, 'schedule reconcile failed; the next pass retries'),
      )
      .finally(() => {
        busy = false;
      });
    return running;
  };
  const firstPass = pass();
  const timer = setInterval(() => {
    // A pass still running (a slow database) is not doubled up: this tick is skipped.
    if (!stopped && !busy) void pass();
  }, intervalMs);
  timer.unref();
  return {
    firstPass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
