/**
 * Reclaim writes and their undo: single-record PATCH/DELETE and the sObject Collections
 * (`/composite/sobjects`) POST/PATCH/DELETE with per-record results in request order and allOrNone
 * rollback.
 */
import { createRecord } from './collectionCreate.js';
import { deleteRecord, tableOfId } from './recordDeletes.js';
import { updateRecord } from './recordWrites.js';
import type { RestContext, RestResult, RestRoute } from '../restRouting.js';
import type { RecordError } from '../salesforceErrors.js';
import { jsonParserError, notFound, parseJsonBody, SalesforceApiError } from '../salesforceErrors.js';
import { normalizeId } from '../org/salesforceIds.js';
import { mixedSetupRefusal, recordType } from './setupObjects.js';
import type { WriteContext, WriteOutcome } from './writeOutcome.js';

const MAX_COLLECTION = 200;
/** Salesforce Help: unassigning this many permission sets at once leaves their licenses assigned. */
const BULK_UNASSIGN = 50;
const ROLLED_BACK: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

type CollectionResult = { id: string; success: true; errors: [] } | { success: false; errors: RecordError[] };

function writeContext(ctx: RestContext, setsUnassigned = 1): WriteContext {
  return {
    org: ctx.org,
    callerIndex: ctx.userIndex,
    lockRowFault: () => ctx.env.faults.takeLockRow(ctx.org.orgId),
    releaseLicensesWithSets: setsUnassigned < BULK_UNASSIGN,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Single-record failures map to Salesforce's status for that error. */
function singleFailure(error: RecordError): SalesforceApiError {
  if (error.statusCode === 'INVALID_CROSS_REFERENCE_KEY') return notFound();
  if (error.statusCode === 'ENTITY_IS_DELETED')
    return new SalesforceApiError(404, error.statusCode, error.message);
  return new SalesforceApiError(400, error.statusCode, error.message, error.fields);
}

function patchOne(ctx: RestContext): RestResult {
  const type = ctx.params.type ?? '';
  if (!ctx.org.tables.has(type.toLowerCase())) throw notFound();
  const body = parseJsonBody(ctx.body);
  if (!isObject(body))
    throw jsonParserError('Cannot deserialize instance of sObject from a non-object JSON value');
  const outcome = updateRecord(writeContext(ctx), type, ctx.params.id, body);
  if (!outcome.ok) throw singleFailure(outcome.error);
  return { status: 204 };
}

function deleteOne(ctx: RestContext): RestResult {
  const table = ctx.org.tables.get((ctx.params.type ?? '').toLowerCase());
  const raw = ctx.params.id ?? '';
  if (!table) throw notFound();
  if (!raw.startsWith(table.keyPrefix) && /^[0-9A-Za-z]{15}([0-9A-Za-z]{3})?$/.test(raw)) throw notFound();
  const outcome = deleteRecord(writeContext(ctx), raw);
  if (!outcome.ok) throw singleFailure(outcome.error);
  return { status: 204 };
}

/** Applies outcomes in order; with allOrNone one failure undoes every success. */
function collectResults(outcomes: WriteOutcome[], allOrNone: boolean): CollectionResult[] {
  const failed = outcomes.some((o) => !o.ok);
  if (allOrNone && failed) {
    for (const outcome of [...outcomes].reverse()) if (outcome.ok) outcome.undo();
  }
  return outcomes.map((o) => {
    if (!o.ok) return { success: false, errors: [o.error] };
    if (allOrNone && failed) return { success: false, errors: [ROLLED_BACK] };
    return { id: o.id, success: true, errors: [] };
  });
}

function tooMany(): SalesforceApiError {
  return new SalesforceApiError(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`,
  );
}

function updateInCollection(write: WriteContext, record: unknown): WriteOutcome {
  const type = recordType(record);
  if (type === undefined || !isObject(record)) {
    return {
      ok: false,
      error: { statusCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] },
    };
  }
  return updateRecord(write, type, record.id ?? record.Id, record);
}

/** Every record refused alike when the call mixes object types (see setupObjects.ts). */
function refuseAll(count: number, error: RecordError): WriteOutcome[] {
  return Array.from({ length: count }, () => ({ ok: false, error }));
}

function collectionBody(ctx: RestContext): { records: unknown[]; allOrNone: boolean } {
  const body = parseJsonBody(ctx.body);
  if (!isObject(body) || !Array.isArray(body.records)) {
    throw jsonParserError('Cannot deserialize request: expected an object with a "records" array');
  }
  if (body.allOrNone !== undefined && typeof body.allOrNone !== 'boolean') {
    throw jsonParserError('Cannot deserialize value of type `boolean` for "allOrNone"');
  }
  if (body.records.length > MAX_COLLECTION) throw tooMany();
  return { records: body.records, allOrNone: body.allOrNone === true };
}

function postCollection(ctx: RestContext): RestResult {
  const { records, allOrNone } = collectionBody(ctx);
  const types = records.flatMap((r) => {
    const table = ctx.org.tables.get((recordType(r) ?? '').toLowerCase());
    return table ? [table.name] : [];
  });
  const mixed = mixedSetupRefusal(types);
  const write = writeContext(ctx);
  const outcomes = mixed
    ? refuseAll(records.length, mixed)
    : records.map((record) => createRecord(write, record));
  return collectionResult(outcomes, allOrNone);
}

/** The per-record results, and which records this call really changed (for the call log). */
function collectionResult(outcomes: WriteOutcome[], allOrNone: boolean): RestResult {
  const json = collectResults(outcomes, allOrNone);
  const written = json.flatMap((r) => (r.success ? [r.id] : []));
  return { status: 200, json, records: outcomes.length, written };
}

function patchCollection(ctx: RestContext): RestResult {
  const { records, allOrNone } = collectionBody(ctx);
  const write = writeContext(ctx);
  const outcomes = records.map((record: unknown) => updateInCollection(write, record));
  return collectionResult(outcomes, allOrNone);
}

function deleteCollection(ctx: RestContext): RestResult {
  const ids = (ctx.query.get('ids') ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
  if (ids.length > MAX_COLLECTION) throw tooMany();
  const types = ids.flatMap((raw) => {
    const id = normalizeId(raw);
    const table = id ? tableOfId(ctx.org, id) : undefined;
    return table ? [table.name] : [];
  });
  const mixed = mixedSetupRefusal(types);
  const write = writeContext(ctx, types.filter((t) => t === 'PermissionSetAssignment').length);
  const outcomes = mixed ? refuseAll(ids.length, mixed) : ids.map((id) => deleteRecord(write, id));
  return collectionResult(outcomes, ctx.query.get('allOrNone') === 'true');
}

export const sobjectWriteRoutes: readonly RestRoute[] = [
  { method: 'PATCH', path: 'sobjects/:type/:id', handler: patchOne },
  { method: 'DELETE', path: 'sobjects/:type/:id', handler: deleteOne },
  { method: 'POST', path: 'composite/sobjects', handler: postCollection },
  { method: 'PATCH', path: 'composite/sobjects', handler: patchCollection },
  { method: 'DELETE', path: 'composite/sobjects', handler: deleteCollection },
];
