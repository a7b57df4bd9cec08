/**
 * Queue names. NEVER rename one: jobs already in Redis, schedulers and dashboards refer to them.
 */
export const QUEUE_NAMES = {
  validate: 'validate',
  downloadSubscriptions: 'download-subscriptions',
  downloadConsumption: 'download-consumption',
  computeCandidates: 'compute-candidates',
  reclaim: 'reclaim',
  /** Ticks of the per-profile job schedulers; each one starts a run. */
  scheduledRun: 'scheduled-run',
} as const;

export type JobName = keyof typeof QUEUE_NAMES;
export const JOB_NAMES = Object.keys(QUEUE_NAMES) as JobName[];
