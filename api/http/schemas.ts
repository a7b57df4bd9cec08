/** Building blocks shared by the route schemas. */
import { z } from 'zod';
import { salesforceIdSuffix } from '../../shared/domain/salesforceIds.js';
import { ApiProblem } from './problem.js';

/**
 * Exactly as the api returns them: 24 lower-case hex characters. An upper-case spelling is refused,
 * not folded: one resource has one URL (logs, audit, caches and per-profile collections agree).
 */
export const objectId = z
  .string()
  .regex(/^[a-f0-9]{24}$/, 'must be an id as the api returns it (24 lower-case hex characters)');

/**
 * A Salesforce record id, 15 or 18 characters, handed on in its 18-character form (the one the API
 * returns and we store). An 18-character id whose suffix does not match its first 15 is refused: its
 * case was lost, and the 15 characters alone may name another record.
 */
export const salesforceId = z
  .string()
  .regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?$/, 'must be a Salesforce id (15 or 18 letters and digits)')
  .transform((raw, ctx) => {
    const id15 = raw.slice(0, 15);
    const suffix = salesforceIdSuffix(id15);
    if (raw.length === 18 && raw.slice(15).toUpperCase() !== suffix) {
      ctx.addIssue({
        code: 'custom',
        message: 'is not a Salesforce id (its last 3 characters do not match)',
      });
      return z.NEVER;
    }
    return id15 + suffix;
  });

/** A run id as the pipeline makes them (`run_…`); see shared/jobs/runPayload.ts. */
export const runId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be a run id ([A-Za-z0-9_-], 8 to 64 characters)');

/** A removal candidate's `_id` (`<profileId>|<userId>|<identifier>`), exactly as stored. */
export const candidateId = z.string().min(1).max(300);

export const idParams = z.object({ id: objectId }).strict();

export const MAX_LIMIT = 500;

/** Query strings arrive as strings (or arrays when repeated); accept only one scalar. */
const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

export function pageQuery<const S extends string, T extends z.ZodRawShape>(
  sortFields: readonly S[],
  filters: T,
) {
  const sortValues = sortFields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return z
    .object({
      limit: queryInt(1, MAX_LIMIT, 50),
      offset: queryInt(0, 10_000_000, 0),
      sort: z.enum(sortValues).optional(),
      ...filters,
    })
    .strict();
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

export function sortSpec(sort: string | undefined, fallback: Record<string, 1 | -1>): Record<string, 1 | -1> {
  if (!sort) return { ...fallback, _id: 1 };
  return sort.startsWith('-') ? { [sort.slice(1)]: -1, _id: 1 } : { [sort]: 1, _id: 1 };
}

/** 11000 from a unique index: the write did not happen. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

export function conflict(code: string, message: string, extra: Record<string, unknown> = {}): ApiProblem {
  return new ApiProblem(409, code, message, extra);
}

export const isoDate = z.string();
