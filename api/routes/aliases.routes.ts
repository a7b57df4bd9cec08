import { ROLE_SETS } from '../http/auth.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams, pageSchema } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  aliasCreateSchema,
  aliasListQuery,
  aliasSchema,
  aliasUpdateSchema,
  createAlias,
  deleteAlias,
  listAliases,
  loadAlias,
  toAliasView,
  updateAlias,
} from '../services/aliases.service.js';

const base = '/api/v1/aliases';
const tag = 'aliases';

export function aliasRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: base,
      tag,
      summary: 'List connection & credential aliases',
      roles: ROLE_SETS.read,
      query: aliasListQuery,
      response: pageSchema(aliasSchema),
      handle: async ({ query }) => ({ body: await listAliases(s, query) }),
    }),
    defineRoute({
      method: 'post',
      path: base,
      tag,
      summary: 'Create a parent alias, or a child alias with parentId',
      roles: ROLE_SETS.configure,
      body: aliasCreateSchema,
      response: aliasSchema,
      status: 201,
      handle: async ({ body }) => ({ body: await createAlias(s, body) }),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/:id`,
      tag,
      summary: 'Read an alias (secrets are never returned)',
      roles: ROLE_SETS.read,
      params: idParams,
      response: aliasSchema,
      handle: async ({ params }) => ({ body: toAliasView(await loadAlias(s, params.id)) }),
    }),
    defineRoute({
      method: 'patch',
      path: `${base}/:id`,
      tag,
      summary: 'Change an alias; changing the connection drops its tokens',
      roles: ROLE_SETS.configure,
      params: idParams,
      body: aliasUpdateSchema,
      response: aliasSchema,
      handle: async ({ params, body }) => ({ body: await updateAlias(s, params.id, body) }),
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/:id`,
      tag,
      summary: 'Delete an alias no profile uses',
      roles: ROLE_SETS.configure,
      params: idParams,
      status: 204,
      handle: async ({ params }) => {
        await deleteAlias(s, params.id);
        return {};
      },
    }),
  ];
}
