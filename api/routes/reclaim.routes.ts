import { ROLE_SETS } from '../http/auth.js';
import { validationProblem } from '../http/problem.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  auditCsv,
  auditCsvQuery,
  auditPageSchema,
  auditQuery,
  listAudit,
} from '../services/audit.service.js';
import {
  readSwitch,
  reclaimSwitchSchema,
  resumeGlobalReclaim,
  resumeProfileReclaim,
  stopGlobalReclaim,
  stopProfileReclaim,
  stopRequestSchema,
} from '../services/reclaimControl.service.js';
import { profileSchema } from '../services/profiles.service.js';

const p = '/api/v1/profiles/:id';
const tag = 'reclaim';

export function reclaimRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: `${p}/reclaim/stop`,
      tag,
      summary: "Stop this profile's reclaim before its next batch of writes (the first stop stands)",
      roles: ROLE_SETS.sync,
      params: idParams,
      body: stopRequestSchema,
      response: profileSchema,
      handle: async ({ params, body, actor }) => ({
        body: await stopProfileReclaim(s, params.id, body, actor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${p}/reclaim/resume`,
      tag,
      summary: "Resume this profile's reclaim",
      roles: ROLE_SETS.configure,
      params: idParams,
      body: stopRequestSchema,
      response: profileSchema,
      handle: async ({ params, body, actor }) => ({
        body: await resumeProfileReclaim(s, params.id, body, actor),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/reclaim/switch',
      tag,
      summary: 'The global reclaim switch',
      roles: ROLE_SETS.read,
      response: reclaimSwitchSchema,
      handle: async () => ({ body: await readSwitch(s) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/reclaim/stop',
      tag,
      summary: "Stop every profile's reclaim before its next batch of writes (the first stop stands)",
      roles: ROLE_SETS.sync,
      body: stopRequestSchema,
      response: reclaimSwitchSchema,
      handle: async ({ body, actor }) => ({ body: await stopGlobalReclaim(s, body, actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/reclaim/resume',
      tag,
      summary: 'Resume reclaim for every profile (each profile’s own stop still applies)',
      roles: ROLE_SETS.admin,
      body: stopRequestSchema,
      response: reclaimSwitchSchema,
      handle: async ({ body, actor }) => ({ body: await resumeGlobalReclaim(s, body, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/audit`,
      tag,
      summary:
        'Audit entries in time order, paged (offset or keyset `after`); `format=csv` streams every match as CSV',
      roles: ROLE_SETS.read,
      params: idParams,
      query: auditQuery,
      response: auditPageSchema,
      streams: ['text/csv'],
      handle: async ({ params, query }) => {
        const { limit, offset, format, ...filters } = query;
        if (format !== 'csv') {
          return {
            body: await listAudit(s, params.id, { ...filters, limit: limit ?? 50, offset: offset ?? 0 }),
          };
        }
        const paging = [
          limit === undefined ? null : 'query.limit',
          offset === undefined ? null : 'query.offset',
        ];
        const given = paging.filter((f): f is string => f !== null);
        if (given.length > 0) {
          throw validationProblem(
            given.map((field) => ({
              field,
              message: 'does not apply to format=csv (it streams every match; resume with after)',
            })),
          );
        }
        return { stream: await auditCsv(s, params.id, filters) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${p}/audit.csv`,
      tag,
      summary: 'Every matching audit entry as RFC 4180 CSV with a header row',
      roles: ROLE_SETS.read,
      params: idParams,
      query: auditCsvQuery,
      streams: ['text/csv'],
      handle: async ({ params, query }) => ({ stream: await auditCsv(s, params.id, query) }),
    }),
  ];
}
