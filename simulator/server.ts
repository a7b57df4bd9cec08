/**
 * The Salesforce API simulator: many seeded orgs. The generic login host (and the `/__admin` test
 * API) listens on the main port; each org's instance (My Domain) URL is an origin of its own,
 * `http://127.0.0.1:<its port>`, with REST at `<origin>/services/data/vXX.X/…`, as real instance
 * URLs carry no path.
 */
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { adminRouter } from './admin/adminRoutes.js';
import { bulkQueryRoutes } from './bulk/bulkQueryRoutes.js';
import { compositeRoutes } from './composite/compositeRoutes.js';
import { CallLog, credentialsOf, type CallCredentials } from './admin/callLog.js';
import { FaultInjector } from './admin/faults.js';
import { metadataRoutes } from './sobjects/metadataRoutes.js';
import { handleIdentityRequest, handleOAuthRequest } from './oauth/oauthRoutes.js';
import { OAuthTokenStore } from './oauth/oauthTokens.js';
import { queryRoutes } from './soql/queryRoutes.js';
import type { CallRecord } from './restPipeline.js';
import { handleDataRequest, sendResult } from './restPipeline.js';
import type { RestRoute } from './restRouting.js';
import { SimClock } from './org/simClock.js';
import type { SimOrg } from './org/simOrg.js';
import { createSimOrg } from './org/simOrg.js';
import { createSimulatorAdmin } from './admin/simulatorAdmin.js';
import type { SimulatorEnv } from './simulatorEnv.js';
import type { RunningSimulator, SimulatorOptions } from './simulatorTypes.js';
import { sobjectWriteRoutes } from './sobjects/sobjectWriteRoutes.js';

export type {
  LatencyOptions,
  OAuthPolicy,
  RunningSimulator,
  SimulatorAdmin,
  SimulatorOptions,
  SimulatorOrgInfo,
  SimulatorOrgOptions,
} from './simulatorTypes.js';
export type { CallCredentials, CallLogEntry, CallLogFilter } from './admin/callLog.js';
export type { FaultSpec, FaultView } from './admin/faults.js';
export type { OrgTruth, UserState } from './org/orgTruth.js';
export type { DeactivationBlocker } from './sobjects/deactivationBlockers.js';
export type { PermissionSetAssignmentState, PermissionSetTruth } from './org/permissionSetTruth.js';
export { CallLog, tokenFingerprint } from './admin/callLog.js';

const DEFAULT_TOKEN_TTL_SECONDS = 7200;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const ROUTES: readonly RestRoute[] = [
  ...compositeRoutes(() => ROUTES),
  ...metadataRoutes,
  ...queryRoutes,
  ...sobjectWriteRoutes,
  ...bulkQueryRoutes,
];
const NOT_FOUND_BODY = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];

class BodyTooLargeError extends Error {}

function readBody(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BodyTooLargeError());
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeSegments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function queryOf(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : req.originalUrl.slice(at + 1));
}

function callOf(res: Response): CallRecord {
  return res.locals.call as CallRecord;
}

function credentialsField(req: Request): { credentials?: CallCredentials } {
  const credentials = credentialsOf(req.headers.authorization, typeof req.body === 'string' ? req.body : '');
  return credentials ? { credentials } : {};
}

function logCalls(env: SimulatorEnv) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    const call: CallRecord = { orgId: null, counted: false, area: 'other' };
    res.locals.call = call;
    if (!req.path.startsWith('/__admin')) {
      res.on('close', () => {
        env.callLog.record({
          time: new Date(started).toISOString(),
          orgId: call.orgId,
          method: req.method,
          path: req.path,
          status: res.headersSent ? res.statusCode : 0,
          durationMs: Date.now() - started,
          counted: call.counted,
          area: call.area,
          aborted: !res.writableFinished,
          ...(call.written ? { written: call.written } : {}),
          ...credentialsField(req),
        });
      });
    }
    next();
  };
}

/** `org` is set on an org's own listener (its My Domain); absent on the generic login host. */
function dispatch(env: SimulatorEnv, org: SimOrg | undefined) {
  return async (req: Request, res: Response): Promise<void> => {
    const segments = safeSegments(req.path);
    const body = typeof req.body === 'string' ? req.body : '';
    const query = queryOf(req);
    const call = callOf(res);
    if (org) call.orgId = org.orgId;
    const notFound = (): void => sendResult(res, { status: 404, json: NOT_FOUND_BODY });
    if (!segments) return notFound();
    const [first, second, third, ...rest] = segments;
    if (first === 'services' && second === 'oauth2' && third !== undefined && rest.length === 0) {
      return handleOAuthRequest({
        env,
        req,
        res,
        action: third,
        ...(org ? { instanceOrg: org } : {}),
        query,
        body,
        call,
      });
    }
    if (first === 'id' && second !== undefined && third !== undefined && rest.length === 0) {
      call.area = 'identity';
      return handleIdentityRequest(env, req, res, second, third);
    }
    if (!org || first !== 'services' || second !== 'data') return notFound();
    const more = segments.slice(2);
    return handleDataRequest({ env, org, req, res, segments: more, query, body, call, routes: ROUTES });
  };
}

function createApp(env: SimulatorEnv, org?: SimOrg): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(logCalls(env));
  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    req.body = await readBody(req);
    next();
  });
  // The test controls live on the main port only, never on an org's instance origin.
  if (!org) app.use('/__admin', adminRouter(createSimulatorAdmin(env), env.callLog));
  app.use(dispatch(env, org));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof BodyTooLargeError) {
      return sendResult(res, {
        status: 413,
        json: [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request body too large' }],
      });
    }
    env.warn(`simulator bug: ${(error as Error).stack ?? String(error)}`);
    sendResult(res, {
      status: 500,
      json: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }],
    });
  });
  return app;
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    // Clients keep connections alive for a few seconds (undici: 4 s). On a loaded machine a server
    // closing an idle socket at Node's default 5 s races the client's next request on it (ECONNRESET);
    // Salesforce's own front ends keep idle connections far longer.
    server.keepAliveTimeout = 60_000;
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function portOf(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** Org i listens on `orgPortBase + i` when a base is given, else on a free port. */
function orgPort(options: SimulatorOptions, index: number): number {
  return options.orgPortBase ? options.orgPortBase + index : 0;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const clock = new SimClock();
  const now = () => clock.now();
  const nowMs = options.now?.getTime() ?? Date.now();
  const env: SimulatorEnv = {
    clock,
    tokens: new OAuthTokenStore(now, options.accessTokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS),
    faults: new FaultInjector(now),
    callLog: new CallLog(),
    orgs: new Map(),
    orgsByClientId: new Map(),
    baseUrl: '',
    instanceUrls: new Map(),
    warn: (message) => {
      if (!options.quiet) process.stderr.write(`${message}\n`);
    },
  };
  options.orgs.forEach((orgOptions, index) => {
    const org = createSimOrg({
      index,
      serverSeed: options.seed ?? 1,
      options: orgOptions,
      nowMs,
      clock: now,
    });
    env.orgs.set(org.orgId, org);
    env.orgsByClientId.set(org.clientId, org);
  });
  const host = options.host ?? '127.0.0.1';
  const shownHost = options.publicHost ?? urlHost(host);
  const servers: Server[] = [];
  try {
    const main = await listen(createApp(env), options.port ?? 0, host);
    servers.push(main);
    env.baseUrl = `http://${shownHost}:${portOf(main, options.port ?? 0)}`;
    for (const org of env.orgs.values()) {
      const port = orgPort(options, org.index);
      const server = await listen(createApp(env, org), port, host);
      servers.push(server);
      env.instanceUrls.set(org.orgId, `http://${shownHost}:${portOf(server, port)}`);
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }
  const admin = createSimulatorAdmin(env);
  return {
    url: env.baseUrl,
    orgs: admin.orgs(),
    callLog: env.callLog,
    admin,
    stop: async () => {
      await Promise.all(servers.map(close));
    },
  };
}
