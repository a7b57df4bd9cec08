/** Building blocks shared by the route schemas. */
import { z } from 'zod';
import { ApiProblem } from './problem.js';

export const objectId = z.string().regex(/^[a-f0-9]{24}$/i, 'must be an id (24 hex characters)');

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
