/** REST JSON records: `attributes` on every record, relationship paths nested (or null). */
import type { ResolvedField } from './soqlCompiler.js';
import { formatDate, formatRestDateTime } from '../org/salesforceDates.js';
import type { FieldDef, FieldValue, SObjectTable } from '../sobjects/sobjectSchema.js';

export type JsonRecord = { [key: string]: unknown };

export function restValue(field: FieldDef, value: FieldValue): FieldValue {
  if (value === null || typeof value !== 'number') return value;
  if (field.type === 'datetime') return formatRestDateTime(value);
  if (field.type === 'date') return formatDate(value);
  return value;
}

export function recordAttributes(table: SObjectTable, row: number, version: string): JsonRecord {
  return { type: table.name, url: `/services/data/v${version}/sobjects/${table.name}/${table.idOf(row)}` };
}

function placeField(record: JsonRecord, row: number, field: ResolvedField, version: string): void {
  let target = record;
  let current = row;
  for (const hop of field.hops) {
    const key = hop.rel.name;
    current = hop.rel.rowOf(current);
    if (target[key] === undefined) {
      target[key] = current < 0 ? null : { attributes: recordAttributes(hop.table, current, version) };
    }
    const next = target[key];
    if (next === null || typeof next !== 'object') return;
    target = next as JsonRecord;
  }
  target[field.field.name] = restValue(field.field, field.field.get(current));
}

export function recordToJson(
  table: SObjectTable,
  row: number,
  fields: ResolvedField[],
  version: string,
): JsonRecord {
  const record: JsonRecord = { attributes: recordAttributes(table, row, version) };
  for (const field of fields) placeField(record, row, field, version);
  return record;
}

/** Every field of one row, as `GET /sobjects/{type}/{id}` returns it. */
export function fullRecordJson(table: SObjectTable, row: number, version: string): JsonRecord {
  const record: JsonRecord = { attributes: recordAttributes(table, row, version) };
  for (const field of table.fields) record[field.name] = restValue(field, field.get(row));
  return record;
}
