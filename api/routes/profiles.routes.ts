import { z } from 'zod';
import { ROLE_SETS } from '../http/auth.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams, pageSchema } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  createProfile,
  deleteProfile,
  listProfiles,
  loadProfile,
  profileCreateSchema,
  profileListQuery,
  profileSchema,
  profileUpdateSchema,
  toProfileView,
  updateProfile,
} from '../services/profiles.service.js';
import {
  publishProfile,
  publishResultSchema,
  startedRunSchema,
  stopProfile,
  syncProfile,
  validateProfile,
} from '../services/lifecycle.service.js';

const deleteQuery = z.object({ force: z.enum(['true', 'false']).optional() }).strict();
const base = '/api/v1/profiles';
const tag = 'profiles';

export function profileRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: base,
      tag,
      summary: 'List integration profiles',
      roles: ROLE_SETS.read,
      query: profileListQuery,
      cache: 'list',
      response: pageSchema(profileSchema),
      handle: async ({ query }) => ({ body: await listProfiles(s, query) }),
    }),
    defineRoute({
      method: 'post',
      path: base,
      tag,
      summary: 'Create an integration profile (status draft)',
      roles: ROLE_SETS.configure,
      body: profileCreateSchema,
      response: profileSchema,
      status: 201,
      handle: async ({ body, actor }) => ({ body: await createProfile(s, body, actor) }),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id`,
      tag,
      summary: 'Read a profile',
      cache: 'profile',
      roles: ROLE_SETS.read,
      params: idParams,
      response: profileSchema,
      handle: async ({ params }) => ({ body: toProfileView(await loadProfile(s, params.id)) }),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:id`,
      tag,
      summary: 'Change a profile',
      roles: ROLE_SETS.configure,
      params: idParams,
      body: profileUpdateSchema,
      response: profileSchema,
      handle: async ({ params, body, actor }) => ({ body: await updateProfile(s, params.id, body, actor) }),
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:id`,
      tag,
      summary:
        'Delete a draft profile (any profile with ?force=true, admins only: its schedule, jobs and data go too)',
      roles: ROLE_SETS.configure,
      params: idParams,
      query: deleteQuery,
      status: 204,
      handle: async ({ params, query, actor }) => {
        await deleteProfile(s, params.id, query.force === 'true', actor);
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/validate`,
      tag,
      summary: 'Enqueue the validate job',
      roles: ROLE_SETS.configure,
      params: idParams,
      response: startedRunSchema,
      status: 202,
      handle: async ({ params, actor }) => ({ body: await validateProfile(s, params.id, actor) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/publish`,
      tag,
      summary:
        'Publish (needs a successful validation newer than the last change), schedule and start the first run',
      roles: ROLE_SETS.configure,
      params: idParams,
      response: publishResultSchema,
      status: 202,
      handle: async ({ params, actor }) => ({ body: await publishProfile(s, params.id, actor) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/pause`,
      tag,
      summary: 'Pause a published profile (schedule removed)',
      roles: ROLE_SETS.configure,
      params: idParams,
      response: profileSchema,
      handle: async ({ params, actor }) => ({ body: await stopProfile(s, params.id, 'paused', actor) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/unpublish`,
      tag,
      summary: 'Back to draft (schedule removed)',
      roles: ROLE_SETS.configure,
      params: idParams,
      response: profileSchema,
      handle: async ({ params, actor }) => ({ body: await stopProfile(s, params.id, 'draft', actor) }),
    }),
    defineRoute({
      method: 'post',
      path: `${base}/:id/sync`,
      tag,
      summary: 'Re-sync now (joins the run in flight if any)',
      roles: ROLE_SETS.sync,
      params: idParams,
      response: startedRunSchema,
      status: 202,
      // The profile now names its run at once; the run's queued jobs show in the history soon after
      // (a client follows its run by `runId`). Results change only as the run's jobs end.
      changes: { hard: ['profile'], soft: ['runs'] },
      handle: async ({ params, actor }) => ({ body: await syncProfile(s, params.id, actor) }),
    }),
  ];
}
