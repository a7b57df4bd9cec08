/**
 * Bulk API 2.0 query jobs: create, poll, page through CSV results with `Sforce-Locator`, list,
 * abort, delete. SOQL is validated when the job is created (400 with the SOQL error code), and
 * what Bulk API 2.0 refuses (COUNT(), OFFSET) is a 400 INVALIDJOB there too.
 */
import type { BulkJob } from './bulkJobs.js';
import { executeQuery } from '../soql/queryExecutor.js';
import { csvHeader, csvRows } from './recordCsv.js';
import type { RestContext, RestResult, RestRoute } from '../restRouting.js';
import { notFound, parseJsonBody, SalesforceApiError } from '../salesforceErrors.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';
import { compileForRequest } from '../soql/soqlRequest.js';

/** Salesforce returns as many rows as fit a size budget when maxRecords is absent. */
const DEFAULT_MAX_RECORDS = 100_000;

const invalidJob = (message: string): SalesforceApiError =>
  new SalesforceApiError(400, 'INVALIDJOB', message);

function jobOf(ctx: RestContext): BulkJob {
  const job = ctx.org.bulkJobs.get(ctx.params.jobId ?? '');
  if (!job) throw notFound();
  return job;
}

function createJob(ctx: RestContext): RestResult {
  const body = parseJsonBody(ctx.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidJob('Invalid job definition');
  const spec = body as Record<string, unknown>;
  if (spec.operation !== 'query' && spec.operation !== 'queryAll') {
    throw invalidJob(`Invalid operation: ${String(spec.operation)}. Use query or queryAll.`);
  }
  if (typeof spec.query !== 'string') throw invalidJob('The query field is required.');
  if (spec.contentType !== undefined && spec.contentType !== 'CSV')
    throw invalidJob('Only CSV content is supported.');
  if (spec.columnDelimiter !== undefined && spec.columnDelimiter !== 'COMMA') {
    throw invalidJob('This simulator supports columnDelimiter COMMA only.');
  }
  if (spec.lineEnding !== undefined && spec.lineEnding !== 'LF' && spec.lineEnding !== 'CRLF') {
    throw invalidJob(`Invalid lineEnding: ${String(spec.lineEnding)}`);
  }
  const query = compileForRequest(ctx.org, spec.query);
  if (query.bulkRefusal) throw invalidJob(query.bulkRefusal);
  const job = ctx.org.bulkJobs.create({
    operation: spec.operation,
    query,
    rows: executeQuery(query),
    createdById: makeId(KEY_PREFIXES.User, ctx.org.data.idSpace, ctx.userIndex + 1),
    apiVersion: ctx.version,
    lineEnding: spec.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
    injectedFailure: ctx.env.faults.takeBulkJobFailure(ctx.org.orgId),
  });
  return { status: 200, json: ctx.org.bulkJobs.summary(job) };
}

function listJobs(ctx: RestContext): RestResult {
  const records = ctx.org.bulkJobs.all().map((job) => ctx.org.bulkJobs.summary(job));
  return { status: 200, json: { done: true, records, nextRecordsUrl: null } };
}

function getJob(ctx: RestContext): RestResult {
  return { status: 200, json: ctx.org.bulkJobs.details(jobOf(ctx)) };
}

function abortJob(ctx: RestContext): RestResult {
  const job = jobOf(ctx);
  const body = parseJsonBody(ctx.body);
  const state =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).state : undefined;
  if (state !== 'Aborted') throw invalidJob(`Invalid state: ${String(state)}. Only Aborted is allowed.`);
  const current = ctx.org.bulkJobs.state(job);
  if (current === 'JobComplete' || current === 'Failed')
    throw invalidJob(`Job is already ${current === 'Failed' ? 'failed' : 'complete'} and cannot be aborted.`);
  ctx.org.bulkJobs.abort(job);
  return { status: 200, json: ctx.org.bulkJobs.summary(job) };
}

function deleteJob(ctx: RestContext): RestResult {
  ctx.org.bulkJobs.delete(jobOf(ctx).id);
  return { status: 204 };
}

function positiveInt(raw: string | null, fallback: number, name: string): number {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidJob(`${name} must be a positive integer`);
  return Number(raw);
}

/** Salesforce's locators are opaque; base64 of the next row offset, as theirs appear to be. */
function offsetOf(locator: string | null, total: number): number {
  if (locator === null || locator === '') return 0;
  const text = Buffer.from(locator, 'base64').toString('utf8');
  const offset = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(offset >= 0 && offset <= total))
    throw new SalesforceApiError(400, 'INVALID_LOCATOR', `Invalid locator: ${locator}`);
  return offset;
}

function results(ctx: RestContext): RestResult {
  const job = jobOf(ctx);
  const state = ctx.org.bulkJobs.state(job);
  if (state !== 'JobComplete')
    throw invalidJob(`Job ${job.id} is not complete (state: ${state}); results are not available.`);
  const maxRecords = positiveInt(ctx.query.get('maxRecords'), DEFAULT_MAX_RECORDS, 'maxRecords');
  const offset = offsetOf(ctx.query.get('locator'), job.rows.length);
  const chunk = job.rows.subarray(offset, Math.min(job.rows.length, offset + maxRecords));
  const next = offset + chunk.length;
  let text = csvHeader(job.query.fields) + csvRows(job.query.fields, chunk);
  if (job.lineEnding === 'CRLF') text = text.replace(/\n/g, '\r\n');
  return {
    status: 200,
    text,
    contentType: 'text/csv',
    headers: {
      'Sforce-Locator':
        next < job.rows.length ? Buffer.from(String(next)).toString('base64').replace(/=+$/, '') : 'null',
      'Sforce-NumberOfRecords': String(chunk.length),
    },
    bulkRecords: chunk.length,
  };
}

export const bulkQueryRoutes: readonly RestRoute[] = [
  { method: 'POST', path: 'jobs/query', handler: createJob },
  { method: 'GET', path: 'jobs/query', handler: listJobs },
  { method: 'GET', path: 'jobs/query/:jobId', handler: getJob },
  { method: 'PATCH', path: 'jobs/query/:jobId', handler: abortJob },
  { method: 'DELETE', path: 'jobs/query/:jobId', handler: deleteJob },
  { method: 'GET', path: 'jobs/query/:jobId/results', handler: results },
];
