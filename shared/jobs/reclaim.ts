import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';
import { RECLAIM_BATCH_JOB_NAME, reclaimBatchPayloadSchema } from './reclaimBatch.js';
import { RECLAIM_UNDO_JOB_NAME, reclaimUndoPayloadSchema } from './reclaimUndo.js';

/**
 * Approved candidates → deactivations; the root of a run's flow, so its end is the run's end.
 * Big sets fan out as `reclaimBatch` children on the same queue; `reclaimUndo` jobs (asked for
 * through the API, outside any run) share the queue too.
 */
export const reclaimJob = {
  ...defineRunJob('reclaim', QUEUE_NAMES.reclaim, exponential(5, 2_000)),
  childPayloadSchemas: {
    [RECLAIM_BATCH_JOB_NAME]: reclaimBatchPayloadSchema,
    [RECLAIM_UNDO_JOB_NAME]: reclaimUndoPayloadSchema,
  },
};
