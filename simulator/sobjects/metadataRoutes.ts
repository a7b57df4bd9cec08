/** Resource list, `/limits`, describe and single-record reads. */
import { fullRecordJson } from '../soql/recordJson.js';
import type { RestContext, RestResult, RestRoute } from '../restRouting.js';
import { notFound, SalesforceApiError } from '../salesforceErrors.js';
import { normalizeId } from '../org/salesforceIds.js';
import type { FieldDef, SObjectTable } from './sobjectSchema.js';

function tableOf(ctx: RestContext): SObjectTable {
  const table = ctx.org.tables.get((ctx.params.type ?? '').toLowerCase());
  if (!table) throw notFound();
  return table;
}

function resources(ctx: RestContext): RestResult {
  const base = `/services/data/v${ctx.version}`;
  const names = ['limits', 'query', 'queryAll', 'sobjects', 'composite', 'jobs'];
  return { status: 200, json: Object.fromEntries(names.map((n) => [n, `${base}/${n}`])) };
}

function limit(max: number, used: number): { Max: number; Remaining: number } {
  return { Max: max, Remaining: Math.max(0, max - used) };
}

function limits(ctx: RestContext): RestResult {
  const { org } = ctx;
  const users = org.data.userCount;
  const dataMax = 10_240 + 20 * users;
  const fileMax = 10_240 + 2_048 * Math.ceil(users / 10);
  return {
    status: 200,
    json: {
      ConcurrentAsyncGetReportInstances: limit(200, 0),
      ConcurrentSyncReportRuns: limit(20, 0),
      DailyApiRequests: limit(org.limits.max, org.limits.used),
      DailyAsyncApexExecutions: limit(250_000, 0),
      DailyBulkApiBatches: limit(15_000, 0),
      DailyBulkV2QueryFileStorageMB: limit(976_562, 0),
      DailyBulkV2QueryJobs: limit(10_000, org.bulkJobs.all().length),
      DataStorageMB: limit(dataMax, Math.round(dataMax * 0.42)),
      FileStorageMB: limit(fileMax, Math.round(fileMax * 0.18)),
      HourlyODataCallout: limit(10_000, 0),
      SingleEmail: limit(5_000, 0),
      StreamingApiConcurrentClients: limit(2_000, 0),
    },
  };
}

function objectSummary(ctx: RestContext, table: SObjectTable): Record<string, unknown> {
  const base = `/services/data/v${ctx.version}/sobjects/${table.name}`;
  return {
    name: table.name,
    label: table.label,
    labelPlural: `${table.label}s`,
    keyPrefix: table.keyPrefix,
    custom: false,
    createable: table.createable,
    deletable: table.deletable,
    queryable: true,
    retrieveable: true,
    searchable: false,
    updateable: table.updateable,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

function fieldDescribe(field: FieldDef): Record<string, unknown> {
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    updateable: field.updateable,
    createable: field.createable,
    nillable: field.nillable,
    filterable: field.filterable,
    sortable: field.sortable,
    referenceTo: field.referenceTo ? [field.referenceTo] : [],
    relationshipName: field.relationshipName ?? null,
  };
}

function describeGlobal(ctx: RestContext): RestResult {
  const sobjects = [...ctx.org.tables.values()].map((t) => objectSummary(ctx, t));
  return { status: 200, json: { encoding: 'UTF-8', maxBatchSize: 200, sobjects } };
}

function objectInfo(ctx: RestContext): RestResult {
  return { status: 200, json: { objectDescribe: objectSummary(ctx, tableOf(ctx)), recentItems: [] } };
}

function describe(ctx: RestContext): RestResult {
  const table = tableOf(ctx);
  return { status: 200, json: { ...objectSummary(ctx, table), fields: table.fields.map(fieldDescribe) } };
}

function readRecord(ctx: RestContext): RestResult {
  const table = tableOf(ctx);
  const raw = ctx.params.id ?? '';
  const id = normalizeId(raw);
  if (!id) throw new SalesforceApiError(400, 'MALFORMED_ID', `malformed id ${raw}`);
  const row = table.rowOfId(id);
  if (row < 0 || !table.isLive(row)) throw notFound();
  return { status: 200, json: fullRecordJson(table, row, ctx.version), records: 1 };
}

export const metadataRoutes: readonly RestRoute[] = [
  { method: 'GET', path: '', handler: resources },
  { method: 'GET', path: 'limits', handler: limits },
  { method: 'GET', path: 'sobjects', handler: describeGlobal },
  { method: 'GET', path: 'sobjects/:type', handler: objectInfo },
  { method: 'GET', path: 'sobjects/:type/describe', handler: describe },
  { method: 'GET', path: 'sobjects/:type/:id', handler: readRecord },
];
