import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';

/** Users, licenses and assignments → subscriptions; idempotent, so a retry rewrites the same rows. */
export const downloadSubscriptionsJob = defineRunJob(
  'downloadSubscriptions',
  QUEUE_NAMES.downloadSubscriptions,
  exponential(5, 2_000),
);
