import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';

/** `/limits` and usage-based entitlements → Consumption. */
export const downloadConsumptionJob = defineRunJob(
  'downloadConsumption',
  QUEUE_NAMES.downloadConsumption,
  exponential(5, 2_000),
);
