import type { DefaultJobOptions } from 'bullmq';
import type { z } from 'zod';
import { runPayloadSchema, type RunPayload } from './runPayload.js';

/** What the catalog knows about one job: how its payload looks, how it retries, how its id is built. */
export interface JobDefinition<P> {
  /** The BullMQ job name (also the JobRun `jobName`). */
  name: string;
  /** The queue it runs on (a value of QUEUE_NAMES). */
  queue: string;
  payloadSchema: z.ZodType<P>;
  /** attempts / backoff for retryable failures (a paused org delays without spending attempts). */
  defaultOptions: Pick<DefaultJobOptions, 'attempts' | 'backoff'>;
  /** Other job names this queue carries (fan-out children), each with its own payload schema. */
  childPayloadSchemas?: Readonly<Record<string, z.ZodType<unknown>>>;
  /** Deterministic, so a second enqueue of the same work is a no-op: no ':' and never numeric. */
  jobId(payload: P): string;
}

/** A job of a run: `{profileId, runId}` payload, id `<runId>-<jobName>`. */
export function defineRunJob(
  name: string,
  queue: string,
  defaultOptions: JobDefinition<RunPayload>['defaultOptions'],
): JobDefinition<RunPayload> {
  return {
    name,
    queue,
    payloadSchema: runPayloadSchema,
    defaultOptions,
    jobId: (payload) => `${payload.runId}-${name}`,
  };
}

/** Exponential backoff from `delayMs`: 1×, 2×, 4×… between attempts. */
export function exponential(attempts: number, delayMs: number): JobDefinition<RunPayload>['defaultOptions'] {
  return { attempts, backoff: { type: 'exponential', delay: delayMs } };
}
