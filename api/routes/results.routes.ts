import { z } from 'zod';
import type { ReadTopic } from '../../shared/pipeline/readGenerations.js';
import { ROLE_SETS } from '../http/auth.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { candidateId, idParams, objectId, pageSchema } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  CANDIDATE_DECISIONS,
  candidateDecisionSchema,
  decideCandidates,
  decisionResultSchema,
} from '../services/candidates.service.js';
import {
  candidatesQuery,
  consumptionQuery,
  decideUnrecognized,
  listCandidates,
  listConsumption,
  listModels,
  listRuns,
  listSubscriptions,
  listUnrecognized,
  mapIdentifierSchema,
  modelsQuery,
  runsQuery,
  subscriptionsQuery,
  unrecognizedQuery,
} from '../services/results.service.js';
import { profileSummary, profileSummarySchema } from '../services/profileSummary.service.js';

const row = z.record(z.string(), z.unknown());
const page = pageSchema(row);
const identParams = z.object({ id: objectId, identifierId: objectId }).strict();
const candidateParams = z.object({ id: objectId, candidateId }).strict();

const DECISION_SUMMARY = {
  approve: 'Approve: pending or withdrawn → ready, bound to the rule revision and action as they stand',
  reject: 'Reject: pending, ready, withdrawn or failed → rejected (never reclaimed)',
  withdraw: 'Withdraw an approval before the write: ready or frozen → withdrawn',
  retry: 'Retry a failed candidate: failed → ready, approved again under the rule as it stands',
} as const;
const tag = 'results';
const p = '/api/v1/profiles/:id';

export function resultRoutes(s: ApiServices): RouteDef[] {
  const list = <Q>(
    segment: string,
    summary: string,
    query: z.ZodType<Q>,
    fn: (s: ApiServices, id: string, q: Q) => Promise<unknown>,
    topic: ReadTopic,
  ) =>
    defineRoute({
      method: 'get',
      path: `${p}/${segment}`,
      tag,
      summary,
      roles: ROLE_SETS.read,
      params: idParams,
      query,
      response: page,
      cache: topic,
      handle: async ({ params, query: q }) => ({ body: await fn(s, params.id, q) }),
    });
  return [
    defineRoute({
      method: 'get',
      path: `${p}/summary`,
      tag,
      summary:
        'Counts at a glance: subscriptions, removal candidates per license and status, models, unrecognized identifiers',
      roles: ROLE_SETS.read,
      params: idParams,
      response: profileSummarySchema,
      handle: async ({ params }) => ({ body: await profileSummary(s, params.id) }),
    }),
    list(
      'software-models',
      'Software models (one per license identifier)',
      modelsQuery,
      listModels,
      'downloads',
    ),
    list(
      'subscriptions',
      'Subscriptions of the current download only',
      subscriptionsQuery,
      listSubscriptions,
      'downloads',
    ),
    list(
      'unrecognized-identifiers',
      'License identifiers mapped to no product',
      unrecognizedQuery,
      listUnrecognized,
      'downloads',
    ),
    list('removal-candidates', 'Removal candidates', candidatesQuery, listCandidates, 'candidates'),
    list('runs', 'Job runs (scheduled job results)', runsQuery, listRuns, 'runs'),
    list('consumption', 'Consumption metrics', consumptionQuery, listConsumption, 'consumption'),
    defineRoute({
      method: 'post',
      path: `${p}/unrecognized-identifiers/:identifierId/map`,
      tag,
      summary: 'Map an identifier to a product',
      roles: ROLE_SETS.configure,
      params: identParams,
      body: mapIdentifierSchema,
      response: row,
      handle: async ({ params, body, actor }) => ({
        body: await decideUnrecognized(
          s,
          params.id,
          params.identifierId,
          { status: 'mapped', product: body.product },
          actor,
        ),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${p}/unrecognized-identifiers/:identifierId/ignore`,
      tag,
      summary: 'Ignore an identifier',
      roles: ROLE_SETS.configure,
      params: identParams,
      response: row,
      handle: async ({ params, actor }) => ({
        body: await decideUnrecognized(s, params.id, params.identifierId, { status: 'ignored' }, actor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${p}/removal-candidates/decisions`,
      tag,
      summary:
        'Approve, reject, withdraw or retry up to 10,000 candidates through the lifecycle table; all or nothing',
      roles: ROLE_SETS.configure,
      params: idParams,
      body: candidateDecisionSchema,
      response: decisionResultSchema,
      // Waits up to 30 s for another decision on the profile, then writes up to 10,000 candidates.
      timeoutMs: 90_000,
      bodyLimit: '1mb',
      handle: async ({ params, body, actor }) => ({
        body: await decideCandidates(s, params.id, body, actor),
      }),
    }),
    ...CANDIDATE_DECISIONS.map((decision) =>
      defineRoute({
        method: 'post',
        path: `${p}/removal-candidates/:candidateId/${decision}`,
        tag,
        summary: `${DECISION_SUMMARY[decision]} (one candidate)`,
        roles: ROLE_SETS.configure,
        params: candidateParams,
        response: decisionResultSchema,
        timeoutMs: 60_000,
        handle: async ({ params, actor }) => ({
          body: await decideCandidates(s, params.id, { decision, ids: [params.candidateId] }, actor),
        }),
      }),
    ),
  ];
}
