/** Runs a compiled query: scan, filter, sort, then OFFSET/LIMIT. Returns matching row indexes. */
import type { CompiledQuery, OrderKey } from './soqlCompiler.js';
import type { FieldValue } from '../sobjects/sobjectSchema.js';

type SortKey = string | number | boolean | null;

function sortKeysFor(key: OrderKey, rows: Int32Array, size: number): SortKey[] {
  const keys = new Array<SortKey>(size);
  const { field } = key;
  const lower = ['string', 'email', 'picklist'].includes(field.field.type);
  for (const row of rows) {
    if (field.isOwnId) {
      keys[row] = row;
      continue;
    }
    const v: FieldValue = field.get(row);
    keys[row] = lower && typeof v === 'string' ? v.toLowerCase() : v;
  }
  return keys;
}

function compareKeys(a: SortKey, b: SortKey, key: OrderKey): number {
  if (a === b) return 0;
  if (a === null || b === null) return (a === null ? -1 : 1) * (key.nullsLast ? -1 : 1);
  const order = a < b ? -1 : 1;
  return key.descending ? -order : order;
}

function sortRows(query: CompiledQuery, rows: Int32Array): void {
  const size = query.table.size();
  const keys = query.order.map((key) => ({ key, values: sortKeysFor(key, rows, size) }));
  rows.sort((ra, rb) => {
    for (const { key, values } of keys) {
      const c = compareKeys(values[ra] ?? null, values[rb] ?? null, key);
      if (c !== 0) return c;
    }
    return ra - rb;
  });
}

export function executeQuery(query: CompiledQuery): Int32Array {
  const { table, predicate } = query;
  const size = table.size();
  const matches = new Int32Array(size);
  let count = 0;
  for (let row = 0; row < size; row += 1) {
    if (table.isLive(row) && (predicate === null || predicate(row))) {
      matches[count] = row;
      count += 1;
    }
  }
  const rows = matches.subarray(0, count);
  if (query.order.length > 0) sortRows(query, rows);
  const end = query.limit === undefined ? count : Math.min(count, query.offset + query.limit);
  return rows.slice(Math.min(query.offset, end), end);
}
