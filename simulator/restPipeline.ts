/**
 * What every REST data and Bulk API request goes through, in Salesforce's order: API version,
 * session, concurrency cap, injected faults, daily allowance (counted only when the call gets this
 * far), the handler, then the latency model. Every answer carries `Sforce-Limit-Info`.
 */
import type { Request, Response } from 'express';
import type { CallArea } from './admin/callLog.js';
import type { FaultSpec, RequestTarget } from './admin/faults.js';
import type { RestResult, RestRoute } from './restRouting.js';
import { matchRoute } from './restRouting.js';
import {
  concurrentRequestsExceeded,
  invalidSession,
  notFound,
  SalesforceApiError,
  totalRequestsExceeded,
} from './salesforceErrors.js';
import type { SimOrg } from './org/simOrg.js';
import type { SimulatorEnv } from './simulatorEnv.js';

export interface CallRecord {
  orgId: string | null;
  counted: boolean;
  area: CallArea;
  written?: string[];
}

export interface DataRequest {
  env: SimulatorEnv;
  org: SimOrg;
  req: Request;
  res: Response;
  /** Path segments after `/services/data`. */
  segments: string[];
  query: URLSearchParams;
  body: string;
  call: CallRecord;
  routes: readonly RestRoute[];
}

const VERSION = /^v(\d{2,3})\.0$/;
const MIN_VERSION = 50;
const MAX_VERSION = 66;

/** Whether `/services/data/v<major>.0/` is an API version the org serves. */
export const isServedVersion = (major: number): boolean => major >= MIN_VERSION && major <= MAX_VERSION;

export function errorResult(error: SalesforceApiError): RestResult {
  return { status: error.status, json: error.body() };
}

export function sendResult(res: Response, result: RestResult): void {
  if (res.headersSent || res.destroyed) return;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  if (result.json !== undefined) {
    res.type('application/json;charset=UTF-8').send(JSON.stringify(result.json));
  } else if (result.text !== undefined) {
    res.type(result.contentType ?? 'text/plain;charset=UTF-8').send(result.text);
  } else {
    res.end();
  }
}

/** Announces the whole body, sends only its first `afterBytes`, then drops the connection. */
function sendCutOff(res: Response, result: RestResult, afterBytes: number | undefined): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(
    result.json !== undefined ? JSON.stringify(result.json) : (result.text ?? ''),
    'utf8',
  );
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  res.type(
    result.json !== undefined ? 'application/json;charset=UTF-8' : (result.contentType ?? 'text/plain'),
  );
  res.setHeader('Content-Length', String(body.length));
  const sent = Math.min(afterBytes ?? Math.floor(body.length / 2), Math.max(0, body.length - 1));
  res.write(body.subarray(0, sent), () => res.destroy());
}

/** Resolves after `ms`, or as soon as the client goes away. */
export function pause(ms: number, res: Response): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function versionsList(): RestResult {
  const versions = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v += 1) {
    versions.push({ label: `API ${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return { status: 200, json: versions };
}

function faultResult(fault: FaultSpec): RestResult | undefined {
  switch (fault.kind) {
    case 'invalidSession':
      return errorResult(invalidSession());
    case 'requestLimit':
      return errorResult(
        fault.limit === 'ConcurrentPerOrgLongTxn' ? concurrentRequestsExceeded() : totalRequestsExceeded(),
      );
    case 'serverError': {
      const status = fault.status ?? 503;
      const error =
        status === 500
          ? new SalesforceApiError(
              500,
              'UNKNOWN_EXCEPTION',
              'An unexpected error occurred. Please include this ErrorId if you contact support: 1849220535-51234 (-1183458427)',
            )
          : new SalesforceApiError(
              status,
              'SERVER_UNAVAILABLE',
              'Server temporarily unavailable. Please try again later.',
            );
      return errorResult(error);
    }
    default:
      return undefined;
  }
}

/** Hangs for a timeout fault; false when the client gave up meanwhile. */
async function sitOutTimeout(fault: FaultSpec, res: Response): Promise<boolean> {
  if (fault.kind !== 'timeout') return true;
  if (fault.hangMs === undefined) {
    await new Promise<void>((resolve) => res.once('close', () => resolve()));
    return false;
  }
  await pause(fault.hangMs, res);
  return !res.destroyed;
}

async function runRoute(request: DataRequest, version: string, userIndex: number): Promise<RestResult> {
  const { req, segments, routes } = request;
  const match = matchRoute(routes, req.method, segments.slice(1));
  if (match.kind === 'none') return errorResult(notFound());
  if (match.kind === 'wrongMethod') {
    return errorResult(
      new SalesforceApiError(
        405,
        'METHOD_NOT_ALLOWED',
        `HTTP Method '${req.method}' not allowed. Allowed are ${match.allowed.join(',')}`,
      ),
    );
  }
  try {
    return await match.route.handler({
      env: request.env,
      org: request.org,
      version,
      userIndex,
      method: req.method,
      params: match.params,
      query: request.query,
      headers: req.headers,
      body: request.body,
    });
  } catch (error) {
    if (error instanceof SalesforceApiError) return errorResult(error);
    throw error;
  }
}

function latencyMs(org: SimOrg, result: RestResult): number {
  const { perCallMs, perRecordMs, bulkPerRecordMs } = org.latency;
  return perCallMs + perRecordMs * (result.records ?? 0) + bulkPerRecordMs * (result.bulkRecords ?? 0);
}

async function serveAuthenticated(request: DataRequest, version: string, userIndex: number): Promise<void> {
  const { env, org, req, res, segments, call } = request;
  const target: RequestTarget = {
    orgId: org.orgId,
    method: req.method,
    path: `/services/data/${segments.join('/')}`,
    area: 'api',
  };
  const fault = env.faults.takeRequestFault(target);
  if (fault && !(await sitOutTimeout(fault, res))) return;
  const failure = fault ? faultResult(fault) : undefined;
  if (failure) return sendResult(res, withUsage(org, failure));
  const slowdownMs = env.faults.takeSlowdownMs(target);
  if (!org.limits.tryCount()) return sendResult(res, withUsage(org, errorResult(totalRequestsExceeded())));
  call.counted = true;
  const result = await runRoute(request, version, userIndex);
  // The write has happened now, whether or not the caller lives to read the answer.
  if (result.written) call.written = result.written;
  await pause(latencyMs(org, result) + slowdownMs, res);
  const cut = env.faults.takeCutBody(target);
  if (cut) return sendCutOff(res, withUsage(org, result), cut.afterBytes);
  sendResult(res, withUsage(org, result));
}

function withUsage(org: SimOrg, result: RestResult): RestResult {
  return { ...result, headers: { ...result.headers, 'Sforce-Limit-Info': org.limits.header() } };
}

export async function handleDataRequest(request: DataRequest): Promise<void> {
  const { env, org, req, res, segments, call } = request;
  call.orgId = org.orgId;
  call.area = segments[1] === 'jobs' ? 'bulk' : 'rest';
  const first = segments[0];
  if (first === undefined)
    return sendResult(
      res,
      req.method === 'GET' || req.method === 'HEAD' ? versionsList() : errorResult(notFound()),
    );
  const major = Number(VERSION.exec(first)?.[1] ?? Number.NaN);
  if (!isServedVersion(major)) return sendResult(res, withUsage(org, errorResult(notFound())));
  const owner = env.tokens.verifyAccessToken(bearerToken(req.headers.authorization) ?? '');
  if (!owner || owner.orgId !== org.orgId)
    return sendResult(res, withUsage(org, errorResult(invalidSession())));
  if (!org.limits.tryEnter())
    return sendResult(res, withUsage(org, errorResult(concurrentRequestsExceeded())));
  try {
    await serveAuthenticated(request, `${major}.0`, owner.userIndex);
  } finally {
    org.limits.leave();
  }
}
