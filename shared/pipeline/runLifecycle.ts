/**
 * The end of a run, wherever it is noticed (the root job succeeding, a job failing for good, a
 * forced purge): the profile's `currentRunId` is released only if it still names this run, and the
 * jobs that will now never start are marked cancelled.
 */
import type { Models } from '../db/models.js';
import { jobRunId, type RunJobName } from '../jobs/catalog.js';

/** Which jobs wait on which: a job's final failure takes its ancestors with it. */
export const RUN_ANCESTORS: Readonly<Record<RunJobName, readonly RunJobName[]>> = {
  downloadSubscriptions: ['computeCandidates', 'reclaim'],
  downloadConsumption: [],
  computeCandidates: ['reclaim'],
  reclaim: [],
};

/** The job whose completion completes the run. */
export const RUN_ROOT_JOB: RunJobName = 'reclaim';

/** Jobs whose final failure fails the run (consumption is beside the chain: its failure is only noted). */
export function failureEndsRun(jobName: string): boolean {
  return jobName === 'downloadSubscriptions' || jobName === 'computeCandidates' || jobName === 'reclaim';
}

export async function finishRun(
  models: Models,
  run: {
    profileId: string;
    runId: string;
    failedJob?: RunJobName;
    reason?: { code: string; message: string };
  },
): Promise<void> {
  if (run.failedJob) {
    const ids = RUN_ANCESTORS[run.failedJob].map((name) => jobRunId(run.runId, name));
    if (ids.length > 0) {
      await models.JobRun.updateMany(
        { _id: { $in: ids }, status: { $in: ['queued', 'delayed'] } },
        {
          $set: {
            status: 'cancelled',
            finishedAt: new Date(),
            error: {
              code: 'RUN_FAILED',
              message: `not started: ${run.failedJob} failed (${run.reason?.code ?? 'unknown'})`,
            },
          },
        },
      );
    }
  }
  await models.IntegrationProfile.updateOne(
    { _id: run.profileId, currentRunId: run.runId },
    { $set: { currentRunId: null, lastRunId: run.runId } },
  );
}
