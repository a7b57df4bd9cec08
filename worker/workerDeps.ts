import type { Job } from 'bullmq';
import type { RedisConnection } from '../shared/redis.js';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import type { Models } from '../shared/db/models.js';
import type { ApiUsage, SalesforceOrgClient } from '../shared/salesforce/salesforceClient.js';

/** What a processor may use. Processors never import axios, ioredis or mongoose themselves. */
export interface WorkerDeps {
  config: Config;
  log: Logger;
  models: Models;
  /** BullMQ-capable connection (fan-out of child jobs, shared state). */
  redis: RedisConnection;
  /** The org client for a profile, built from its alias (tokens decrypted, refreshed tokens saved). */
  salesforceFor(profileId: string): Promise<SalesforceOrgClient>;
}

/** What a processor returns; the JobRun recorder (one place) writes it to the job's JobRun. */
export interface JobOutcome {
  counts: { records: number; pages: number; apiCalls: number; writes: number };
  apiUsage: ApiUsage | null;
  /** Job-specific summary shown in the job history (validate: its checks; reclaim: counts by status). */
  result: Record<string, unknown>;
}

export type JobProcessor = (job: Job, token?: string) => Promise<JobOutcome>;
