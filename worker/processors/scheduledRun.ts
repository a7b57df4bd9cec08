import { scheduledRunPayloadSchema } from '../../shared/jobs/scheduledRun.js';
import { startRun } from '../../shared/pipeline/runs.js';
import type { JobProcessor, WorkerDeps } from '../workerDeps.js';

/**
 * A scheduler tick: start the profile's run like any other request (so it coalesces with one in
 * flight). A profile that is no longer published lost its scheduler late: skip, and say so.
 */
export function createScheduledRunProcessor(deps: WorkerDeps): JobProcessor {
  return async (job) => {
    const { profileId } = scheduledRunPayloadSchema.parse(job.data);
    const profile = await deps.models.IntegrationProfile.findById(profileId, { status: 1 }).lean<{
      status: string;
    }>();
    const empty = { counts: { records: 0, pages: 0, apiCalls: 0, writes: 0 }, apiUsage: null };
    if (!profile || profile.status !== 'published') {
      return { ...empty, result: { skipped: profile ? `profile is ${profile.status}` : 'profile is gone' } };
    }
    const started = await startRun(
      { redis: deps.redis, prefix: deps.config.redis.prefix, models: deps.models },
      { profileId, trigger: 'schedule', requestedBy: 'scheduler' },
    );
    return { ...empty, result: { ...started } };
  };
}
