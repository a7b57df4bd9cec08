/**
 * Reading the audit trail of one profile: paged JSON, or every matching entry as CSV. Read only —
 * entries are appended by shared/db/auditLog.ts and the model refuses updates and deletes.
 */
import type { Response } from 'express';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { validationProblem } from '../http/problem.js';
import { candidateId, objectId, runId, salesforceId } from '../http/schemas.js';
import { AUDIT_ACTIONS } from '../../shared/db/models/auditEntry.model.js';
import type { ApiServices } from './apiServices.js';
import { plain } from './plain.js';
import { loadProfile } from './profiles.service.js';

const filters = {
  userId: salesforceId.optional(),
  runId: runId.optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  candidateId: candidateId.optional(),
  /** Keyset paging: entries after this one (in `at`, then id, order). */
  after: objectId.optional(),
};

/** `limit` (default 50) and `offset` page the JSON answer; the CSV streams every match. */
export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
    format: z.enum(['json', 'csv']).optional(),
    ...filters,
  })
  .strict();

export const auditCsvQuery = z.object(filters).strict();

export type AuditCsvQuery = z.infer<typeof auditCsvQuery>;
export type AuditQuery = AuditCsvQuery & { limit: number; offset: number };

export const auditPageSchema = z
  .object({
    items: z.array(z.record(z.string(), z.unknown())),
    /** Entries matching the filters (all of them, whatever `after` or `offset` skip). */
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    /** Pass as `after` for the next page; null on the last one. */
    next: z.string().nullable(),
  })
  .meta({ id: 'AuditPage' });

const ORDER = { at: 1, _id: 1 } as const;

/** The filter of a query; `after` names an entry of this profile, else the query is refused. */
async function filterOf(
  s: ApiServices,
  profileId: Types.ObjectId,
  q: AuditCsvQuery,
): Promise<{ base: Record<string, unknown>; page: Record<string, unknown> }> {
  const base: Record<string, unknown> = { profileId };
  if (q.userId) base.userId = q.userId;
  if (q.runId) base.runId = q.runId;
  if (q.action) base.action = q.action;
  if (q.candidateId) base.candidateId = q.candidateId;
  if (!q.after) return { base, page: base };
  const from = await s.models.AuditEntry.findOne({ _id: q.after, profileId })
    .select({ at: 1 })
    .lean<{ _id: Types.ObjectId; at: Date }>();
  if (!from) {
    throw validationProblem([{ field: 'query.after', message: 'is not an audit entry of this profile' }]);
  }
  return {
    base,
    page: {
      ...base,
      $or: [{ at: { $gt: from.at } }, { at: from.at, _id: { $gt: from._id } }],
    },
  };
}

export async function listAudit(s: ApiServices, profileId: string, q: AuditQuery) {
  const profile = await loadProfile(s, profileId);
  if (q.after && q.offset > 0) {
    throw validationProblem([{ field: 'query.offset', message: 'cannot be combined with after' }]);
  }
  const { base, page } = await filterOf(s, profile._id, q);
  const [items, total] = await Promise.all([
    s.models.AuditEntry.find(page).sort(ORDER).skip(q.offset).limit(q.limit).lean(),
    s.models.AuditEntry.countDocuments(base),
  ]);
  const last = items.at(-1);
  return {
    items: items.map(plain) as Record<string, unknown>[],
    total,
    limit: q.limit,
    offset: q.offset,
    next: items.length === q.limit && last ? String(last._id) : null,
  };
}

// ——— CSV ———

const COLUMNS = [
  'id',
  'at',
  'action',
  'outcome',
  'actor',
  'runId',
  'userId',
  'username',
  'candidateId',
  'reason',
  'ruleId',
  'ruleIdentifier',
  'ruleRevision',
  'ruleAction',
  'ruleThresholdDays',
  'evidence',
  'requestMethod',
  'requestPath',
  'requestSobject',
  'requestChange',
  'requestRecordId',
  'responseSuccess',
  'responseErrors',
  'response',
] as const;

interface EntryDoc {
  _id: Types.ObjectId;
  at: Date;
  action: string;
  outcome: string;
  actor: string;
  runId?: string | null;
  userId?: string | null;
  username?: string | null;
  candidateId?: string | null;
  reason?: string | null;
  rule?: {
    id: Types.ObjectId;
    identifier: string;
    revision: number;
    action: string;
    thresholdDays: number;
  } | null;
  evidence?: unknown;
  request?: {
    method: string;
    path: string;
    sobject: string;
    change?: string | null;
    recordId: string;
  } | null;
  response?: unknown;
}

/** Leading characters a spreadsheet would read as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: neutralized against formulas, quoted when it must be. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(plain(value))
        : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function responseErrors(response: unknown): string | null {
  const errors = (response as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  return errors
    .map((e) => {
      const { statusCode, message } = (e ?? {}) as { statusCode?: unknown; message?: unknown };
      return [statusCode, message].filter((p) => p !== undefined && p !== null).join(': ');
    })
    .join('; ');
}

function rowOf(e: EntryDoc): unknown[] {
  const response = e.response as { success?: unknown } | null | undefined;
  return [
    String(e._id),
    e.at,
    e.action,
    e.outcome,
    e.actor,
    e.runId,
    e.userId,
    e.username,
    e.candidateId,
    e.reason,
    e.rule ? String(e.rule.id) : null,
    e.rule?.identifier,
    e.rule?.revision,
    e.rule?.action,
    e.rule?.thresholdDays,
    e.evidence,
    e.request?.method,
    e.request?.path,
    e.request?.sobject,
    e.request?.change,
    e.request?.recordId,
    typeof response?.success === 'boolean' ? response.success : null,
    responseErrors(response),
    e.response,
  ];
}

/** Bytes gathered before a write: one write per many rows, not per row. */
const FLUSH_AT = 64 * 1024;

/**
 * Every matching entry as CSV, read from one cursor in `at`, id order. The checks run first (an
 * unknown profile or `after` is an ordinary problem); the stream writes at the client's pace and
 * stops reading when the client goes away.
 */
export async function auditCsv(
  s: ApiServices,
  profileId: string,
  q: AuditCsvQuery,
): Promise<(res: Response) => Promise<void>> {
  const profile = await loadProfile(s, profileId);
  const { page } = await filterOf(s, profile._id, q);
  return async (res) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${profileId}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    const cursor = s.models.AuditEntry.find(page).sort(ORDER).lean<EntryDoc[]>().cursor({ batchSize: 500 });
    let gone = false;
    const onClose = () => {
      gone = true;
    };
    res.on('close', onClose);
    try {
      let chunk = csvLine(COLUMNS);
      for await (const entry of cursor) {
        if (gone) break;
        chunk += csvLine(rowOf(entry as EntryDoc));
        if (chunk.length >= FLUSH_AT) {
          const ok = res.write(chunk);
          chunk = '';
          if (!ok) await drained(res);
        }
      }
      if (!gone) res.end(chunk);
    } finally {
      res.off('close', onClose);
      await cursor.close().catch(() => undefined);
    }
  };
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
