/** `/__admin`: the SimulatorAdmin methods over HTTP (JSON), plus the call log. */
import type { Request, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { CallLog, CallLogFilter } from './callLog.js';
import { faultSpecSchema } from './faults.js';
import { UnknownOrgError } from './simulatorAdmin.js';
import type { SimulatorAdmin } from '../simulatorTypes.js';

type AdminHandler = (req: Request) => unknown;

const usageSchema = z
  .object({ used: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
  .strict();
const latencySchema = z
  .object({
    perCallMs: z.number().nonnegative(),
    perRecordMs: z.number().nonnegative(),
    bulkPerRecordMs: z.number().nonnegative(),
  })
  .partial()
  .strict();
const ttlSchema = z.object({ seconds: z.number().nonnegative() }).strict();
const maxSchema = z.object({ max: z.number().int().positive() }).strict();
const oauthPolicySchema = z
  .object({
    pkceRequired: z.boolean(),
    refreshTokenRotation: z.boolean(),
    refuseConcurrentRefresh: z.boolean(),
    consentPage: z.boolean(),
  })
  .partial()
  .strict();
const advanceSchema = z.object({ ms: z.number().nonnegative() }).strict();

function bodyOf(req: Request): unknown {
  const text = typeof req.body === 'string' ? req.body : '';
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function callFilter(req: Request): CallLogFilter {
  const filter: CallLogFilter = {};
  const org = queryString(req, 'org');
  const counted = queryString(req, 'counted');
  const method = queryString(req, 'method');
  const path = queryString(req, 'path');
  if (org) filter.orgId = org;
  if (counted === 'true' || counted === 'false') filter.counted = counted === 'true';
  if (method) filter.method = method;
  if (path) filter.pathIncludes = path;
  return filter;
}

function respond(handler: AdminHandler) {
  return (req: Request, res: Response): void => {
    try {
      const result = handler(req);
      if (result === undefined) res.status(204).end();
      else res.status(200).json(result);
    } catch (error) {
      const status = error instanceof UnknownOrgError ? 404 : 400;
      res
        .status(status)
        .json({ error: error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message });
    }
  };
}

export function adminRouter(admin: SimulatorAdmin, callLog: CallLog): Router {
  const router = express.Router();
  const org = (req: Request): string => param(req, 'orgId');
  router.get(
    '/orgs',
    respond(() => admin.orgs()),
  );
  router.get(
    '/orgs/:orgId/truth',
    respond((req) => admin.truth(org(req))),
  );
  router.post(
    '/orgs/:orgId/users/:userId/login',
    respond((req) => {
      admin.logIn(org(req), param(req, 'userId'));
      return admin.user(org(req), param(req, 'userId'));
    }),
  );
  router.get(
    '/orgs/:orgId/users/:userId',
    respond((req) => {
      const state = admin.user(org(req), param(req, 'userId'));
      if (!state) throw new UnknownOrgError(`${org(req)} has no user ${param(req, 'userId')}`);
      return state;
    }),
  );
  router.get(
    '/faults',
    respond((req) => admin.faults(queryString(req, 'org'))),
  );
  router.post(
    '/faults',
    respond((req) => ({ id: admin.addFault(faultSpecSchema.parse(bodyOf(req))) })),
  );
  router.delete(
    '/faults',
    respond((req) => admin.clearFaults(queryString(req, 'org'))),
  );
  router.get(
    '/orgs/:orgId/faults',
    respond((req) => admin.faults(org(req))),
  );
  router.post(
    '/orgs/:orgId/faults',
    respond((req) => ({
      id: admin.addFault(faultSpecSchema.parse({ ...(bodyOf(req) as object), orgId: org(req) })),
    })),
  );
  router.delete(
    '/orgs/:orgId/faults',
    respond((req) => admin.clearFaults(org(req))),
  );
  router.post(
    '/orgs/:orgId/revoke-refresh-tokens',
    respond((req) => ({ revoked: admin.revokeRefreshTokens(org(req)) })),
  );
  router.post(
    '/orgs/:orgId/expire-access-tokens',
    respond((req) => ({ expired: admin.expireAccessTokens(org(req)) })),
  );
  router.put(
    '/token-ttl',
    respond((req) => admin.setAccessTokenTtl(ttlSchema.parse(bodyOf(req)).seconds)),
  );
  router.get(
    '/orgs/:orgId/api-usage',
    respond((req) => admin.apiUsage(org(req))),
  );
  router.put(
    '/orgs/:orgId/api-usage',
    respond((req) => admin.setApiUsage(org(req), usageSchema.parse(bodyOf(req)))),
  );
  router.delete(
    '/orgs/:orgId/api-usage',
    respond((req) => admin.resetApiUsage(org(req))),
  );
  router.put(
    '/orgs/:orgId/latency',
    respond((req) => admin.setLatency(org(req), latencySchema.parse(bodyOf(req)))),
  );
  router.put(
    '/orgs/:orgId/max-concurrent',
    respond((req) => admin.setMaxConcurrent(org(req), maxSchema.parse(bodyOf(req)).max)),
  );
  router.get(
    '/orgs/:orgId/oauth-policy',
    respond((req) => admin.oauthPolicy(org(req))),
  );
  router.put(
    '/orgs/:orgId/oauth-policy',
    respond((req) => admin.setOAuthPolicy(org(req), oauthPolicySchema.parse(bodyOf(req)))),
  );
  router.post(
    '/clock/advance',
    respond((req) => admin.advanceClock(advanceSchema.parse(bodyOf(req)).ms)),
  );
  router.get(
    '/calls',
    respond((req) => callLog.entries(callFilter(req))),
  );
  router.delete(
    '/calls',
    respond(() => callLog.reset()),
  );
  router.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Unknown admin endpoint' });
  });
  return router;
}
