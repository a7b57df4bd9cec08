/**
 * The job catalog: every job name → its definition. A missing entry is a type error, so a new
 * queue in QUEUE_NAMES cannot be forgotten here.
 */
import type { JobName } from '../queues.js';
import { computeCandidatesJob } from './computeCandidates.js';
import { downloadConsumptionJob } from './downloadConsumption.js';
import { downloadSubscriptionsJob } from './downloadSubscriptions.js';
import type { JobDefinition } from './jobDefinition.js';
import { reclaimJob } from './reclaim.js';
import { scheduledRunJob } from './scheduledRun.js';
import { validateJob } from './validate.js';

export const JOB_CATALOG: { readonly [K in JobName]: JobDefinition<unknown> } = {
  validate: validateJob,
  downloadSubscriptions: downloadSubscriptionsJob,
  downloadConsumption: downloadConsumptionJob,
  computeCandidates: computeCandidatesJob,
  reclaim: reclaimJob,
  scheduledRun: scheduledRunJob as JobDefinition<unknown>,
};

/** The jobs of a sync run (validate and scheduler ticks are not part of one). */
export const RUN_JOB_NAMES = [
  'downloadSubscriptions',
  'downloadConsumption',
  'computeCandidates',
  'reclaim',
] as const;
export type RunJobName = (typeof RUN_JOB_NAMES)[number];

/** `_id` of a job's JobRun. */
export function jobRunId(runId: string, jobName: string): string {
  return `${runId}|${jobName}`;
}
