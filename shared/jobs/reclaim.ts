import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';

/** Approved candidates → deactivations; the root of a run's flow, so its end is the run's end. */
export const reclaimJob = defineRunJob('reclaim', QUEUE_NAMES.reclaim, exponential(5, 2_000));
