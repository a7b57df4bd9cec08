/** `GET /query`, `/queryAll` and the `nextRecordsUrl` pages behind them. */
import { executeQuery } from './queryExecutor.js';
import type { QueryCursor } from './queryLocators.js';
import type { JsonRecord } from './recordJson.js';
import { recordToJson } from './recordJson.js';
import type { RestContext, RestResult, RestRoute } from '../restRouting.js';
import { SalesforceApiError } from '../salesforceErrors.js';
import { compileForRequest } from './soqlRequest.js';

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;
const LOCATOR_AND_OFFSET = /^(01g[0-9A-Za-z]{15})-(\d+)$/;

/** `Sforce-Query-Options: batchSize=N` is a hint, clamped to Salesforce's 200–2000. */
function batchSizeOf(ctx: RestContext): number {
  const header = ctx.headers['sforce-query-options'];
  const match = /batchSize\s*=\s*(\d+)/i.exec(Array.isArray(header) ? header.join(',') : (header ?? ''));
  if (!match) return DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(match[1])));
}

function pageOf(ctx: RestContext, cursor: QueryCursor, offset: number): JsonRecord[] {
  const { table, fields } = cursor.query;
  const records: JsonRecord[] = [];
  const end = Math.min(cursor.rows.length, offset + cursor.batchSize);
  for (let i = offset; i < end; i += 1)
    records.push(recordToJson(table, cursor.rows[i] ?? 0, fields, ctx.version));
  return records;
}

function pageResult(
  ctx: RestContext,
  cursor: QueryCursor,
  offset: number,
  locator: string | null,
): RestResult {
  const records = pageOf(ctx, cursor, offset);
  const next = offset + records.length;
  const done = next >= cursor.rows.length;
  const body: Record<string, unknown> = { totalSize: cursor.rows.length, done };
  if (!done) {
    const id = locator ?? ctx.org.locators.open(ctx.userIndex, cursor);
    body.nextRecordsUrl = `/services/data/v${ctx.version}/query/${id}-${next}`;
  } else if (locator) {
    ctx.org.locators.close(locator);
  }
  body.records = records;
  return { status: 200, json: body, records: records.length };
}

function runQuery(ctx: RestContext): RestResult {
  const query = compileForRequest(ctx.org, ctx.query.get('q'));
  const rows = executeQuery(query);
  if (query.isCount) return { status: 200, json: { totalSize: rows.length, done: true, records: [] } };
  return pageResult(ctx, { query, rows, batchSize: batchSizeOf(ctx) }, 0, null);
}

function invalidLocator(): SalesforceApiError {
  return new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
}

function queryMore(ctx: RestContext): RestResult {
  const match = LOCATOR_AND_OFFSET.exec(ctx.params.locator ?? '');
  if (!match) throw invalidLocator();
  const locator = match[1] ?? '';
  const offset = Number(match[2]);
  const cursor = ctx.org.locators.find(locator, ctx.userIndex);
  if (!cursor || offset > cursor.rows.length) throw invalidLocator();
  return pageResult(ctx, cursor, offset, locator);
}

export const queryRoutes: readonly RestRoute[] = [
  { method: 'GET', path: 'query', handler: runQuery },
  // Setup objects are hard-deleted, so queryAll sees the same rows as query.
  { method: 'GET', path: 'queryAll', handler: runQuery },
  { method: 'GET', path: 'query/:locator', handler: queryMore },
  { method: 'GET', path: 'queryAll/:locator', handler: queryMore },
];
