import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';

/** Rules → removal candidates; database work only, so failures are MongoDB hiccups worth a few retries. */
export const computeCandidatesJob = defineRunJob(
  'computeCandidates',
  QUEUE_NAMES.computeCandidates,
  exponential(4, 1_000),
);
