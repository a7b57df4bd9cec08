/** Bulk API 2.0 CSV: header of flattened paths, RFC 4180 quoting, empty field for null, LF endings. */
import type { ResolvedField } from '../soql/soqlCompiler.js';
import { formatCsvDateTime, formatDate } from '../org/salesforceDates.js';

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function csvCell(field: ResolvedField, row: number): string {
  const value = field.get(row);
  if (value === null) return '';
  if (typeof value === 'number' && field.field.type === 'datetime') return quote(formatCsvDateTime(value));
  if (typeof value === 'number' && field.field.type === 'date') return quote(formatDate(value));
  return quote(String(value));
}

export function csvHeader(fields: ResolvedField[]): string {
  return `${fields.map((f) => quote(f.path.join('.'))).join(',')}\n`;
}

export function csvRows(fields: ResolvedField[], rows: Int32Array): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(fields.map((f) => csvCell(f, row)).join(','));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
