import { z } from 'zod';
import { ROLE_SETS } from '../http/auth.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams, pageSchema } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import {
  currencySchema,
  entitlementListSchema,
  entitlementSchema,
  entitlementUpdateSchema,
  identifierParams,
  listEntitlements,
  setCurrency,
  updateEntitlement,
} from '../services/entitlements.service.js';
import { historyCsv, peopleCsv, savingsCsv, sendCsv } from '../services/savingsCsv.js';
import {
  allHistory,
  findCrossOrgPeople,
  historyCsvQuery,
  historyQuery,
  listCrossOrgPeople,
  listHistory,
  peopleCsvQuery,
  peopleQuery,
  savingsTable,
} from '../services/savings.service.js';

const tag = 'savings';
const p = '/api/v1/profiles/:id';
const row = z.record(z.string(), z.unknown());
const CSV = ['text/csv'] as const;

export function savingsRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: `${p}/entitlements`,
      tag,
      summary: "Owned seats and price per seat per month of every software model, in the profile's currency",
      roles: ROLE_SETS.read,
      params: idParams,
      response: entitlementListSchema,
      handle: async ({ params }) => ({ body: await listEntitlements(s, params.id) }),
    }),
    defineRoute({
      method: 'put',
      path: `${p}/currency`,
      tag,
      summary: "Set the profile's currency (ISO 4217); refused while prices are entered in another one",
      roles: ROLE_SETS.configure,
      params: idParams,
      body: currencySchema,
      response: currencySchema,
      handle: async ({ params, body, actor }) => ({
        body: await setCurrency(s, params.id, body.currency, actor),
      }),
    }),
    defineRoute({
      method: 'put',
      path: `${p}/entitlements/:identifier`,
      tag,
      summary:
        "Enter owned seats (null: the org's TotalLicenses) and a price per seat per month in minor units",
      roles: ROLE_SETS.configure,
      params: identifierParams,
      body: entitlementUpdateSchema,
      response: entitlementSchema,
      handle: async ({ params, body, actor }) => ({
        body: await updateEntitlement(s, params.id, params.identifier, body, actor),
      }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/savings`,
      tag,
      summary:
        'Per software model: used, active, owned, reclaimable, reclaimed; compliance position, potential and realized savings',
      roles: ROLE_SETS.read,
      params: idParams,
      response: row,
      cache: 'savings',
      handle: async ({ params }) => ({ body: await savingsTable(s, params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/savings.csv`,
      tag,
      summary: 'The savings and compliance table as RFC 4180 CSV',
      roles: ROLE_SETS.read,
      params: idParams,
      streams: CSV,
      handle: async ({ params }) => {
        const table = await savingsTable(s, params.id);
        return { stream: sendCsv(`savings-${params.id}.csv`, savingsCsv(table)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${p}/savings/history`,
      tag,
      summary:
        'One point per computeCandidates run: seats used, active, reclaimed; potential and realized savings',
      roles: ROLE_SETS.read,
      params: idParams,
      query: historyQuery,
      response: pageSchema(row),
      cache: 'savings',
      handle: async ({ params, query }) => ({ body: await listHistory(s, params.id, query) }),
    }),
    defineRoute({
      method: 'get',
      path: `${p}/savings/history.csv`,
      tag,
      summary: 'The savings history as CSV, one row per point and software model',
      roles: ROLE_SETS.read,
      params: idParams,
      query: historyCsvQuery,
      streams: CSV,
      handle: async ({ params, query }) => ({
        stream: sendCsv(
          `savings-history-${params.id}.csv`,
          historyCsv(await allHistory(s, params.id, query)),
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/people/across-orgs',
      tag,
      summary: "People (same email or federation id) holding seats in several profiles' orgs, with the cost",
      roles: ROLE_SETS.read,
      query: peopleQuery,
      response: pageSchema(row),
      handle: async ({ query }) => ({ body: await listCrossOrgPeople(s, query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/people/across-orgs.csv',
      tag,
      summary: 'The people across orgs as CSV, one row per account',
      roles: ROLE_SETS.read,
      query: peopleCsvQuery,
      streams: CSV,
      handle: async ({ query }) => {
        const { people, profiles } = await findCrossOrgPeople(s, query.minOrgs);
        return { stream: sendCsv('people-across-orgs.csv', peopleCsv(people, profiles)) };
      },
    }),
  ];
}
