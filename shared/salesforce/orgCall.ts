/**
 * One HTTP exchange with an org once its tokens are in hand and its breaker let the call through:
 * a concurrency slot and a budget reservation (leases in Redis, shared by every process), the
 * request under its deadline, and the usage Salesforce reports (`Sforce-Limit-Info`) settled back.
 */
import type { Readable } from 'node:stream';
import axios from 'axios';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { apiError } from './apiErrors.js';
import { CallDeadline } from './callDeadline.js';
import { MAX_JSON_RESPONSE_BYTES, NO_AXIOS_LIMIT, boundedRequest } from './httpLimits.js';
import { checkedInstanceUrl } from './instanceUrl.js';
import { parseLimitInfo } from './limitInfo.js';
import type { OrgRuntime } from './orgRuntime.js';
import type { OrgTokens, SalesforceInstrumentation } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';
import { sleep, type RequestSpec } from './salesforceRequest.js';

/** The allowance is a rolling 24 h, so some of it frees up within the hour. */
const BUDGET_RETRY_MS = 3_600_000;

export interface OrgCallContext {
  config: Config['salesforce'];
  log: Logger;
  instrumentation: SalesforceInstrumentation | undefined;
  /** Called once per call that reached the HTTP stage, answered or not. */
  countCall(): void;
}

export async function sendOrgCall<R>(
  ctx: OrgCallContext,
  runtime: OrgRuntime,
  tokens: OrgTokens,
  spec: RequestSpec<R>,
): Promise<R> {
  const { config } = ctx;
  const leaseMs = config.timeoutMs + 5_000;
  const slot = await acquireSlot(ctx, runtime, spec);
  try {
    const reservation = await runtime.state.reserve(config.budgetShare, leaseMs);
    if (!reservation.granted) throw budgetError(runtime.orgId, reservation, config.budgetShare, spec.path);
    const renewal = spec.stream ? renewWhileReading(ctx, runtime, slot, reservation.member, leaseMs) : null;
    const abort = new AbortController();
    let body: Readable | null = null;
    const deadline = new CallDeadline(config.timeoutMs, () => {
      // Once the headers are in, axios no longer watches the call: the body is ours to end.
      if (body) body.destroy(bodyTimeout(config.timeoutMs));
      else abort.abort();
    });
    const started = Date.now();
    let status = 0;
    let usage: { used: number; max: number } | null = null;
    try {
      const response = await axios.request({
        method: spec.method,
        baseURL: checkedInstanceUrl(tokens.instanceUrl, config.endpoints),
        url: spec.path,
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.data !== undefined ? { data: spec.data } : {}),
        headers: {
          accept: 'application/json',
          ...spec.headers,
          authorization: `Bearer ${tokens.accessToken}`,
        },
        timeout: config.timeoutMs,
        signal: abort.signal,
        responseType: spec.stream ? 'stream' : 'json',
        ...boundedRequest(spec.stream ? NO_AXIOS_LIMIT : MAX_JSON_RESPONSE_BYTES),
      });
      status = response.status;
      usage = parseLimitInfo(response.headers['sforce-limit-info']);
      if (spec.stream) body = response.data as Readable;
      return await spec.read(response, (wait) => deadline.outside(wait));
    } catch (error) {
      if (axios.isAxiosError(error) && error.response) {
        status = error.response.status;
        usage = parseLimitInfo(error.response.headers['sforce-limit-info']);
        if (spec.stream) error.response.data = await drainJson(error.response.data as Readable);
      }
      throw apiError(error, { orgId: runtime.orgId, method: spec.method, path: spec.path });
    } finally {
      deadline.stop();
      if (renewal) clearInterval(renewal);
      ctx.countCall();
      ctx.instrumentation?.call?.({
        orgId: runtime.orgId,
        method: spec.method,
        path: spec.path,
        status,
        durationMs: Date.now() - started,
      });
      await runtime.state.settle(reservation.member, usage);
      if (usage) ctx.instrumentation?.usage?.({ orgId: runtime.orgId, ...usage });
    }
  } finally {
    await runtime.state.releaseSlot(slot);
  }
}

/**
 * A streamed body can be read for longer than one lease; the slot and the reservation it holds
 * must not lapse meanwhile, or other processes would exceed the org's caps.
 */
function renewWhileReading(
  ctx: OrgCallContext,
  runtime: OrgRuntime,
  slot: string,
  reservation: string,
  leaseMs: number,
): NodeJS.Timeout {
  return setInterval(() => {
    runtime.state.renewLeases(slot, reservation, leaseMs).catch((error: unknown) => {
      ctx.log.warn({ orgId: runtime.orgId, err: error }, 'could not renew a salesforce call lease');
    });
  }, leaseMs / 3);
}

/** Waits for one of the org's concurrency slots (shared by all processes). */
async function acquireSlot(
  ctx: OrgCallContext,
  runtime: OrgRuntime,
  spec: RequestSpec<unknown>,
): Promise<string> {
  const { config } = ctx;
  const deadline = Date.now() + config.timeoutMs;
  let delay = 10;
  for (;;) {
    const slot = await runtime.state.tryAcquireSlot(config.orgConcurrency, config.timeoutMs + 5_000);
    if (slot) return slot;
    if (Date.now() > deadline) {
      throw new SalesforceError(
        `No free Salesforce concurrency slot for org ${runtime.orgId} within ${config.timeoutMs} ms`,
        {
          kind: 'retryable',
          errorCode: 'ORG_CONCURRENCY_WAIT',
          status: null,
          orgId: runtime.orgId,
          path: spec.path,
        },
      );
    }
    await sleep(jitter(delay));
    delay = Math.min(delay * 2, 200);
  }
}

function budgetError(
  orgId: string,
  r: { used: number; max: number; budget: number },
  share: number,
  path: string,
): SalesforceError {
  const retryAt = new Date(Date.now() + BUDGET_RETRY_MS);
  return new SalesforceError(
    `seatwise's API budget for org ${orgId} is used up (${r.used} of ${r.max} daily calls used; seatwise may use ${Math.round(share * 100)}% = ${r.budget}); the allowance is a rolling 24 h, so calls resume as it frees up — retry after ${retryAt.toISOString()}`,
    { kind: 'paused', errorCode: 'API_BUDGET_EXHAUSTED', status: null, orgId, path, retryAt },
  );
}

async function drainJson(stream: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size < 64 * 1024) chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function bodyTimeout(ms: number): Error {
  return Object.assign(new Error(`Salesforce sent no data for ${ms} ms`), { code: 'ETIMEDOUT' });
}

/** Somewhere between half and all of `ms`, so that retrying processes do not move in step. */
export function jitter(ms: number): number {
  return ms / 2 + Math.random() * (ms / 2);
}
