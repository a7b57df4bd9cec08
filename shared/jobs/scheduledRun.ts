import { z } from 'zod';
import { QUEUE_NAMES } from '../queues.js';
import type { JobDefinition } from './jobDefinition.js';
import { profileIdSchema } from './runPayload.js';

/** A tick of a profile's job scheduler: it only starts a run (trigger `schedule`) through `startRun`. */
export const scheduledRunPayloadSchema = z.object({ profileId: profileIdSchema }).strict();

export type ScheduledRunPayload = z.infer<typeof scheduledRunPayloadSchema>;

export const scheduledRunJob: JobDefinition<ScheduledRunPayload> = {
  name: 'scheduledRun',
  queue: QUEUE_NAMES.scheduledRun,
  payloadSchema: scheduledRunPayloadSchema,
  // Starting a run is two small writes; a tick that cannot do it is retried, then the next tick comes.
  defaultOptions: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 } },
  /** Ticks get their ids from the scheduler; this one names the scheduler itself. */
  jobId: (payload) => schedulerIdFor(payload.profileId),
};

export function schedulerIdFor(profileId: string): string {
  return `profile-${profileId}`;
}
