import { UnrecoverableError, type Processor } from 'bullmq';
import type { JobName } from '../shared/queues.js';

/**
 * One processor per job name; a missing entry is a type error. The job modules arrive with the
 * worker issue: until then a job fails permanently and says so, rather than looking successful.
 */
const processors: Record<JobName, Processor> = {
  validate: notYetBuilt('validate'),
  downloadSubscriptions: notYetBuilt('downloadSubscriptions'),
  downloadConsumption: notYetBuilt('downloadConsumption'),
  computeCandidates: notYetBuilt('computeCandidates'),
  reclaim: notYetBuilt('reclaim'),
  scheduledRun: notYetBuilt('scheduledRun'),
};

function notYetBuilt(name: JobName): Processor {
  return async () => {
    throw new UnrecoverableError(`JOB_NOT_IMPLEMENTED: no processor for ${name} yet`);
  };
}

export function processorFor(name: JobName): Processor {
  return processors[name];
}
