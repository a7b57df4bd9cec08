import { z } from 'zod';
import { ROLE_SETS } from '../http/auth.js';
import { validationProblem } from '../http/problem.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams, objectId, pageSchema } from '../http/schemas.js';
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
import {
  getUndo,
  listSnapshots,
  listUndos,
  requestUndo,
  snapshotListQuery,
  snapshotSchema,
  undoListQuery,
  undoRequestSchema,
  undoSchema,
} from '../services/undo.service.js';

const p = '/api/v1/profiles/:id';
const tag = 'reclaim';
const undoParams = z.object({ id: objectId, undoId: objectId }).strict();

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
      cache: (q) => (q.format === 'csv' ? null : 'audit'),
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
    defineRoute({
      method: 'post',
      path: `${p}/undo`,
      tag,
      summary:
        'Undo a reclaim run (`runId`) or some users (`userIds`) from their snapshots: records the request and enqueues the reclaimUndo job',
      roles: ROLE_SETS.configure,
      params: idParams,
      body: undoRequestSchema,
      response: undoSchema,
      status: 202,
      handle: async ({ params, body, actor }) => ({ body: await requestUndo(s, params.id, body, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/undos`,
      tag,
      summary: 'Undo requests, newest first',
      roles: ROLE_SETS.read,
      params: idParams,
      query: undoListQuery,
      response: pageSchema(undoSchema),
      handle: async ({ params, query }) => ({ body: await listUndos(s, params.id, query) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/undos/:undoId`,
      tag,
      summary: 'One undo request, with its per-user results',
      roles: ROLE_SETS.read,
      params: undoParams,
      response: undoSchema,
      handle: async ({ params }) => ({ body: await getUndo(s, params.id, params.undoId) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/reclaim-snapshots`,
      tag,
      summary: 'What reclaim writes changed (taken before each write), newest first',
      roles: ROLE_SETS.read,
      params: idParams,
      query: snapshotListQuery,
      response: pageSchema(snapshotSchema),
      handle: async ({ params, query }) => ({ body: await listSnapshots(s, params.id, query) }),
    }),
  ];
}
