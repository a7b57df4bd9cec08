import { QUEUE_NAMES } from '../queues.js';
import { defineRunJob, exponential } from './jobDefinition.js';

/** Token and permission checks; a run of its own (trigger `validate`). Few attempts: an admin waits on it. */
export const validateJob = defineRunJob('validate', QUEUE_NAMES.validate, exponential(3, 1_000));
