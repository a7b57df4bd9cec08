/**
 * Enqueues the `reclaimUndo` job of an undo the api recorded (a ReclaimUndo document): ids only, on
 * the reclaim queue, with a job id made from the undo's id so asking twice enqueues once.
 */
import type { JobsOptions } from 'bullmq';
import { reclaimJob } from '../jobs/reclaim.js';
import {
  RECLAIM_UNDO_JOB_NAME,
  reclaimUndoJobId,
  reclaimUndoPayloadSchema,
  type ReclaimUndoPayload,
} from '../jobs/reclaimUndo.js';
import { QUEUE_NAMES } from '../queues.js';
import { queueFor } from './queueHandles.js';
import type { PipelineDeps } from './runs.js';

/** Retries like the reclaim it undoes; kept in BullMQ about as long as a run's jobs. */
const UNDO_JOB_OPTIONS: Omit<JobsOptions, 'jobId'> = {
  ...reclaimJob.defaultOptions,
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 5_000 },
};

export async function enqueueReclaimUndo(
  deps: Pick<PipelineDeps, 'redis' | 'prefix'>,
  payload: ReclaimUndoPayload,
): Promise<{ jobId: string }> {
  const data = reclaimUndoPayloadSchema.parse(payload);
  const jobId = reclaimUndoJobId(data);
  await queueFor(deps.redis, deps.prefix, QUEUE_NAMES.reclaim).add(RECLAIM_UNDO_JOB_NAME, data, {
    ...UNDO_JOB_OPTIONS,
    jobId,
  });
  return { jobId };
}
