/**
 * Prometheus metrics of one worker process (prom-client, own registry): queue depth per queue,
 * job durations and outcomes, Salesforce calls / errors per org, breaker state and API budget.
 * Served at `/metrics` on `config.worker.metricsPort` (0 or unset: not served).
 */
import { createServer, type Server } from 'node:http';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SalesforceInstrumentation } from '../shared/salesforce/salesforceClient.js';

export type JobOutcomeLabel = 'succeeded' | 'failed' | 'retry' | 'delayed' | 'invalid';

export interface JobMetrics {
  jobFinished(queue: string, outcome: JobOutcomeLabel, seconds: number): void;
}

export interface WorkerMetrics extends JobMetrics {
  registry: Registry;
  salesforce: SalesforceInstrumentation;
  /** Queues whose depth is read at each scrape. */
  watchQueues(queues: readonly Queue[]): void;
  /** Starts the `/metrics` server; resolves with the port bound (null when disabled). */
  serve(port: number | null, host?: string): Promise<number | null>;
  close(): Promise<void>;
}

const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;
const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'waiting-children', 'prioritized'] as const;

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'seatwise_worker_' });
  let queues: readonly Queue[] = [];

  new Gauge({
    name: 'seatwise_queue_jobs',
    help: 'Jobs per queue and state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        const counts = await queue.getJobCounts(...DEPTH_STATES);
        for (const state of DEPTH_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  const duration = new Histogram({
    name: 'seatwise_job_duration_seconds',
    help: 'Processing time of one attempt, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1200],
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'seatwise_jobs_total',
    help: 'Job attempts by queue and outcome',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
  });
  const sfCalls = new Counter({
    name: 'seatwise_salesforce_calls_total',
    help: 'Salesforce HTTP calls by org and status class',
    labelNames: ['org', 'status'],
    registers: [registry],
  });
  const sfErrors = new Counter({
    name: 'seatwise_salesforce_errors_total',
    help: 'Salesforce calls answered with an error (status ≥ 400 or none), by org',
    labelNames: ['org'],
    registers: [registry],
  });
  const sfCallSeconds = new Histogram({
    name: 'seatwise_salesforce_call_seconds',
    help: 'Salesforce call latency by org',
    labelNames: ['org'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30],
    registers: [registry],
  });
  const sfRecords = new Counter({
    name: 'seatwise_salesforce_records_total',
    help: 'Records read from Salesforce by org and API',
    labelNames: ['org', 'api'],
    registers: [registry],
  });
  const sfRetries = new Counter({
    name: 'seatwise_salesforce_retries_total',
    help: 'Salesforce call retries by org and reason',
    labelNames: ['org', 'reason'],
    registers: [registry],
  });
  const sfRefreshes = new Counter({
    name: 'seatwise_salesforce_token_refreshes_total',
    help: 'Token refreshes by org and outcome',
    labelNames: ['org', 'outcome'],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'seatwise_salesforce_breaker_state',
    help: 'Breaker per org in this process: 0 closed, 1 half-open, 2 open',
    labelNames: ['org'],
    registers: [registry],
  });
  const apiUsed = new Gauge({
    name: 'seatwise_salesforce_api_used',
    help: 'Daily API requests used, as Salesforce last reported (Sforce-Limit-Info)',
    labelNames: ['org'],
    registers: [registry],
  });
  const apiMax = new Gauge({
    name: 'seatwise_salesforce_api_max',
    help: 'Daily API request allowance, as Salesforce last reported',
    labelNames: ['org'],
    registers: [registry],
  });

  let server: Server | null = null;
  return {
    registry,
    jobFinished(queue, outcome, seconds) {
      jobs.inc({ queue, outcome });
      duration.observe({ queue, outcome }, seconds);
    },
    salesforce: {
      call({ orgId, status, durationMs }) {
        sfCalls.inc({ org: orgId, status: status === 0 ? 'none' : `${Math.floor(status / 100)}xx` });
        if (status === 0 || status >= 400) sfErrors.inc({ org: orgId });
        sfCallSeconds.observe({ org: orgId }, durationMs / 1000);
      },
      page({ orgId, records, bulk }) {
        sfRecords.inc({ org: orgId, api: bulk ? 'bulk' : 'rest' }, records);
      },
      retry({ orgId, reason }) {
        sfRetries.inc({ org: orgId, reason });
      },
      refresh({ orgId, outcome }) {
        sfRefreshes.inc({ org: orgId, outcome });
      },
      breaker({ orgId, state }) {
        breaker.set({ org: orgId }, BREAKER_STATE[state]);
      },
      usage({ orgId, used, max }) {
        apiUsed.set({ org: orgId }, used);
        apiMax.set({ org: orgId }, max);
      },
    },
    watchQueues(list) {
      queues = list;
    },
    async serve(port, host = '0.0.0.0') {
      if (!port) return null;
      server = createServer((req, res) => {
        if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
      });
      const bound = server;
      await new Promise<void>((resolve, reject) => {
        bound.once('error', reject);
        bound.listen(port, host, () => resolve());
      });
      const address = bound.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
