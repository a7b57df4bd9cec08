import { JOB_CATALOG } from '../shared/jobs/catalog.js';
import { SeatwiseError } from '../shared/errors.js';
import { JOB_NAMES, QUEUE_NAMES, type JobName } from '../shared/queues.js';
import { createComputeCandidatesProcessor } from './processors/computeCandidates.js';
import { createDownloadConsumptionProcessor } from './processors/downloadConsumption.js';
import { createDownloadSubscriptionsProcessor } from './processors/downloadSubscriptions.js';
import { createReclaimProcessor } from './processors/reclaim.js';
import { createScheduledRunProcessor } from './processors/scheduledRun.js';
import { createValidateProcessor } from './processors/validate.js';
import type { JobProcessor, WorkerDeps } from './workerDeps.js';

export type ProcessorFactory = (deps: WorkerDeps) => JobProcessor;

/** One processor per job name; a missing entry is a type error. */
const factories: Record<JobName, ProcessorFactory> = {
  validate: createValidateProcessor,
  downloadSubscriptions: (deps) => createDownloadSubscriptionsProcessor(deps),
  downloadConsumption: createDownloadConsumptionProcessor,
  computeCandidates: (deps) => createComputeCandidatesProcessor(deps),
  reclaim: (deps) => createReclaimProcessor(deps, { batchSize: deps.config.worker.reclaimFanOutSize }),
  scheduledRun: createScheduledRunProcessor,
};

export function processorFactoryFor(name: JobName): ProcessorFactory {
  return factories[name];
}

/**
 * Start-up check: every queue has exactly one processor, and the catalog agrees with the queue
 * names (a job listening on the wrong queue would never run).
 */
export function assertEveryQueueHasOneProcessor(): void {
  const problems: string[] = [];
  const handlers = new Map<string, JobName[]>();
  for (const name of Object.keys(factories) as JobName[]) {
    const queue = JOB_CATALOG[name].queue;
    if (queue !== QUEUE_NAMES[name]) problems.push(`${name}: catalog queue ${queue} ≠ ${QUEUE_NAMES[name]}`);
    handlers.set(queue, [...(handlers.get(queue) ?? []), name]);
  }
  for (const name of JOB_NAMES) {
    const found = handlers.get(QUEUE_NAMES[name]) ?? [];
    if (found.length !== 1) problems.push(`queue ${QUEUE_NAMES[name]} has ${found.length} processors`);
    if (typeof factories[name] !== 'function') problems.push(`${name}: no processor`);
  }
  if (problems.length > 0) {
    throw new SeatwiseError('WORKER_REGISTRY_INVALID', problems.join('; '), { problems });
  }
}
