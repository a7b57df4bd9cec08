/**
 * Per org, per process: the opossum breaker and a short cache of the shared "paused until"
 * instant. They protect the org, so every alias of it shares them; tokens are per alias
 * ({@link AliasSession}). Kept by the client factory so the cheap per-job clients share it.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { SalesforceInstrumentation } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';
import type { OrgRedisState } from './orgRedisState.js';

/** Redis is asked at most this often per org and process whether another worker paused it. */
const PAUSE_CACHE_MS = 250;

type Task = () => Promise<unknown>;

export interface BreakerSettings {
  failures: number;
  resetMs: number;
}

export class OrgRuntime {
  readonly breaker: CircuitBreaker<[Task], unknown>;
  private consecutiveFailures = 0;
  private openUntil = 0;
  private pauseCache = { until: 0, checkedAt: 0 };

  constructor(
    readonly orgId: string,
    readonly state: OrgRedisState,
    settings: BreakerSettings,
    log: Logger,
    instrumentation: SalesforceInstrumentation | undefined,
  ) {
    this.breaker = new CircuitBreaker<[Task], unknown>((task: Task) => task(), {
      timeout: false,
      resetTimeout: settings.resetMs,
      // Opening is decided here (a run of failures, or a limit error), not by opossum's rate.
      errorThresholdPercentage: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      errorFilter: (error: unknown) => !(error instanceof SalesforceError && error.kind === 'retryable'),
    });
    this.breaker.on('failure', () => {
      this.consecutiveFailures += 1;
      if (this.consecutiveFailures >= settings.failures && !this.breaker.opened) this.breaker.open();
    });
    this.breaker.on('success', () => {
      this.consecutiveFailures = 0;
    });
    this.breaker.on('open', () => {
      this.openUntil = Date.now() + settings.resetMs;
      this.rememberPause(this.openUntil);
      log.warn({ orgId, resumeAt: new Date(this.openUntil).toISOString() }, 'salesforce breaker opened');
      instrumentation?.breaker?.({ orgId, state: 'open' });
      // Shared so that every worker process stops calling this org too.
      state.pauseUntil(this.openUntil).catch((error: unknown) => {
        log.error({ orgId, err: error }, 'could not share the salesforce pause through redis');
      });
    });
    this.breaker.on('halfOpen', () => {
      instrumentation?.breaker?.({ orgId, state: 'halfOpen' });
    });
    this.breaker.on('close', () => {
      this.consecutiveFailures = 0;
      log.info({ orgId }, 'salesforce breaker closed');
      instrumentation?.breaker?.({ orgId, state: 'closed' });
    });
  }

  /** Throws kind `paused` while this org is paused here or by any other process. */
  async checkPause(): Promise<void> {
    const now = Date.now();
    if (now - this.pauseCache.checkedAt >= PAUSE_CACHE_MS) {
      const until = await this.state.pausedUntil();
      this.pauseCache = { until: Math.max(until, this.pauseCache.until), checkedAt: now };
    }
    const until = this.pauseCache.until;
    if (until > now && !this.breaker.halfOpen) {
      throw new SalesforceError(
        `Salesforce org ${this.orgId} is paused until ${new Date(until).toISOString()} (circuit breaker or API limit)`,
        {
          kind: 'paused',
          errorCode: 'ORG_PAUSED',
          status: null,
          orgId: this.orgId,
          retryAt: new Date(until),
        },
      );
    }
  }

  /** opossum refused: the breaker is open in this process. */
  openError(): SalesforceError {
    const until = Math.max(this.openUntil, Date.now());
    return new SalesforceError(
      `Salesforce org ${this.orgId} is paused: its circuit breaker is open until ${new Date(until).toISOString()}`,
      {
        kind: 'paused',
        errorCode: 'BREAKER_OPEN',
        status: null,
        orgId: this.orgId,
        retryAt: new Date(until),
      },
    );
  }

  /** REQUEST_LIMIT_EXCEEDED: stop calling the org at once, in every process. */
  tripForLimit(): void {
    if (!this.breaker.opened) this.breaker.open();
  }

  private rememberPause(until: number): void {
    this.pauseCache = { until: Math.max(until, this.pauseCache.until), checkedAt: this.pauseCache.checkedAt };
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
