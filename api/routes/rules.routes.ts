import { z } from 'zod';
import { ROLE_SETS } from '../http/auth.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams, objectId, pageSchema } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  createRule,
  deleteRule,
  exclusionCreateSchema,
  exclusionUpdateSchema,
  getRule,
  listRules,
  reclamationCreateSchema,
  reclamationUpdateSchema,
  ruleListQuery,
  ruleSchema,
  updateRule,
} from '../services/rules.service.js';
import {
  exclusionPreviewQuery,
  exclusionPreviewSchema,
  previewExclusion,
  simulateRule,
  simulationParams,
  simulationQuery,
  simulationSchema,
} from '../services/ruleSimulation.service.js';

const ruleParams = z.object({ id: objectId, ruleId: objectId }).strict();

export function ruleRoutes(s: ApiServices): RouteDef[] {
  const kinds = [
    {
      kind: 'exclusion',
      segment: 'exclusion-rules',
      create: exclusionCreateSchema,
      update: exclusionUpdateSchema,
    },
    {
      kind: 'reclamation',
      segment: 'reclamation-rules',
      create: reclamationCreateSchema,
      update: reclamationUpdateSchema,
    },
  ] as const;
  return kinds.flatMap(({ kind, segment, create, update }) => {
    const base = `/api/v1/profiles/:id/${segment}`;
    const tag = 'rules';
    return [
      defineRoute({
        method: 'get',
        path: base,
        tag,
        summary: `List ${kind} rules of a profile`,
        roles: ROLE_SETS.read,
        params: idParams,
        query: ruleListQuery,
        response: pageSchema(ruleSchema),
        handle: async ({ params, query }) => ({ body: await listRules(s, kind, params.id, query) }),
      }),
      defineRoute({
        method: 'post',
        path: base,
        tag,
        summary: `Create a ${kind} rule`,
        roles: ROLE_SETS.configure,
        params: idParams,
        body: create as z.ZodType<Record<string, unknown>>,
        response: ruleSchema,
        status: 201,
        handle: async ({ params, body, actor }) => ({
          body: await createRule(s, kind, params.id, body, actor),
        }),
      }),
      defineRoute({
        method: 'get',
        path: `${base}/:ruleId`,
        tag,
        summary: `Read a ${kind} rule`,
        roles: ROLE_SETS.read,
        params: ruleParams,
        response: ruleSchema,
        handle: async ({ params }) => ({ body: await getRule(s, kind, params.id, params.ruleId) }),
      }),
      defineRoute({
        method: 'patch',
        path: `${base}/:ruleId`,
        tag,
        summary: `Change (review) a ${kind} rule`,
        roles: ROLE_SETS.configure,
        params: ruleParams,
        body: update as z.ZodType<Record<string, unknown>>,
        response: ruleSchema,
        handle: async ({ params, body, actor }) => ({
          body: await updateRule(s, kind, params.id, params.ruleId, body, actor),
        }),
      }),
      defineRoute({
        method: 'delete',
        path: `${base}/:ruleId`,
        tag,
        summary: `Delete a ${kind} rule`,
        roles: ROLE_SETS.configure,
        params: ruleParams,
        status: 204,
        handle: async ({ params, actor }) => {
          await deleteRule(s, kind, params.id, params.ruleId, actor);
          return {};
        },
      }),
    ];
  });
}

/** Console look-aheads: what a rule or exclusion would do, from stored data, before it is saved. */
export function ruleSimulationRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/profiles/:id/reclamation-rules/:ruleId/simulation',
      tag: 'rules',
      summary:
        'Threshold simulation: seats this rule would flag and free, and their monthly worth, with another threshold, grace or action (current download only, no Salesforce call)',
      roles: ROLE_SETS.read,
      params: simulationParams,
      query: simulationQuery,
      response: simulationSchema,
      handle: async ({ params, query }) => ({
        body: await simulateRule(s, params.id, params.ruleId, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/profiles/:id/exclusion-preview',
      tag: 'rules',
      summary: 'Whom an exclusion would spare in the current download, before it is saved',
      roles: ROLE_SETS.read,
      params: idParams,
      query: exclusionPreviewQuery,
      response: exclusionPreviewSchema,
      handle: async ({ params, query }) => ({ body: await previewExclusion(s, params.id, query) }),
    }),
  ];
}
