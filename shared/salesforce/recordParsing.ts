/** Records from either path, parsed by the caller's zod schema at the boundary. */
import type { z } from 'zod';
import { SalesforceError } from './salesforceError.js';

/** REST adds `attributes` to every record and relationship; Bulk CSV has none: drop it. */
export function withoutAttributes(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== 'attributes') out[key] = withoutAttributes(inner);
  }
  return out;
}

export interface RecordOrigin {
  orgId: string | null;
  page: number;
  bulk: boolean;
}

export function parseRecords<T>(rows: readonly unknown[], schema: z.ZodType<T>, where: RecordOrigin): T[] {
  const records: T[] = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i += 1) records[i] = parseRecord(rows[i], schema, i, where);
  return records;
}

/** `index` is 0-based within the page; the error names the first field that does not fit. */
export function parseRecord<T>(row: unknown, schema: z.ZodType<T>, index: number, where: RecordOrigin): T {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(record)';
  const missing = issue?.code === 'invalid_type' && issue.message.includes('undefined');
  throw new SalesforceError(
    `Salesforce record ${index + 1} of page ${where.page} (${where.bulk ? 'Bulk' : 'REST'}) ${
      missing ? `lacks required field ${field}` : `has an unexpected ${field}: ${issue?.message ?? ''}`
    }`,
    { kind: 'permanent', errorCode: 'RECORD_SHAPE', status: null, orgId: where.orgId },
    { cause: parsed.error },
  );
}
