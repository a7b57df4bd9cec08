import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';
import { runPayloadSchema, type RunPayload } from '../shared/jobs/runPayload.js';

/** A payload that does not parse can never succeed: fail the job for good, saying what was wrong. */
export function parseJobData<T>(job: Job, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
  throw new UnrecoverableError(`JOB_PAYLOAD_INVALID: ${job.name} ${job.id ?? ''}: ${problems}`);
}

export function parseRunPayload(job: Job): RunPayload {
  return parseJobData(job, runPayloadSchema);
}
