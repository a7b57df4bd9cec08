/**
 * Binds a parsed query to the org's tables: resolves field paths (case-insensitively, to their
 * canonical names), checks operand types the way Salesforce does, and turns the WHERE clause into
 * a row predicate and ORDER BY into sort keys.
 */
import { dateLiteralRange } from './soqlDateLiterals.js';
import { malformed, SoqlError } from './soqlErrors.js';
import type { Condition, FieldPath, Literal, SoqlQuery } from './soqlParser.js';
import { parseSoql } from './soqlParser.js';
import { normalizeId, parseId } from '../org/salesforceIds.js';
import type {
  FieldDef,
  FieldValue,
  RelationshipDef,
  SObjectTable,
  TableRegistry,
} from '../sobjects/sobjectSchema.js';

export interface ResolvedField {
  /** Canonical path, e.g. ['Profile', 'UserLicense', 'Name']. */
  path: string[];
  field: FieldDef;
  hops: { rel: RelationshipDef; table: SObjectTable }[];
  get(row: number): FieldValue;
  /** The object's own Id: comparisons and sorting use the row index, which follows id order. */
  isOwnId: boolean;
}

export interface OrderKey {
  field: ResolvedField;
  descending: boolean;
  nullsLast: boolean;
}

export interface CompiledQuery {
  text: string;
  table: SObjectTable;
  isCount: boolean;
  fields: ResolvedField[];
  predicate: ((row: number) => boolean) | null;
  order: OrderKey[];
  limit?: number;
  offset: number;
  /** Why Bulk API 2.0 refuses this query, if it does. */
  bulkRefusal?: string;
}

type Predicate = (row: number) => boolean;
const TEXT_TYPES = new Set(['string', 'email', 'picklist']);
const MAX_OFFSET = 2000;
const WSDL_HINT = 'Please reference your WSDL or the describe call for the appropriate names.';

function noSuchColumn(pos: number, name: string, entity: string): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    pos,
    `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL_HINT}`,
  );
}

function resolveTable(tables: TableRegistry, name: string, pos: number): SObjectTable {
  const table = tables.get(name.toLowerCase());
  if (!table) {
    throw new SoqlError(
      'INVALID_TYPE',
      pos,
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL_HINT}`,
    );
  }
  return table;
}

export function resolveField(tables: TableRegistry, base: SObjectTable, path: FieldPath): ResolvedField {
  let segments = path.segments;
  const first = segments[0] ?? '';
  if (segments.length > 1 && first.toLowerCase() === base.name.toLowerCase() && !base.relationship(first)) {
    segments = segments.slice(1);
  }
  let table = base;
  const hops: ResolvedField['hops'] = [];
  for (const segment of segments.slice(0, -1)) {
    const rel = table.relationship(segment);
    const target = rel ? tables.get(rel.target.toLowerCase()) : undefined;
    if (!rel || !target) {
      throw new SoqlError(
        'INVALID_FIELD',
        path.pos,
        `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`,
      );
    }
    hops.push({ rel, table: target });
    table = target;
  }
  const last = segments[segments.length - 1] ?? '';
  const field = table.field(last);
  if (!field) throw noSuchColumn(path.pos, last, table.name);
  return {
    path: [...hops.map((h) => h.rel.name), field.name],
    field,
    hops,
    get: hops.length === 0 ? field.get : followHops(hops, field),
    isOwnId: hops.length === 0 && field.type === 'id',
  };
}

function followHops(hops: ResolvedField['hops'], field: FieldDef): (row: number) => FieldValue {
  return (row) => {
    let current = row;
    for (const hop of hops) {
      current = hop.rel.rowOf(current);
      if (current < 0) return null;
    }
    return field.get(current);
  };
}

function typeError(field: FieldDef, pos: number): SoqlError {
  const expected: Record<string, string> = {
    boolean: 'must be of type boolean and should not be enclosed in quotes',
    int: 'must be of type integer and should not be enclosed in quotes',
    double: 'must be of type double and should not be enclosed in quotes',
    datetime: 'must be of type dateTime and should not be enclosed in quotes',
    date: 'must be of type date and should not be enclosed in quotes',
  };
  const text = expected[field.type] ?? 'must be of type string and should be enclosed in quotes';
  return new SoqlError(
    'INVALID_QUERY_FILTER_OPERATOR',
    pos,
    `value of filter criterion for field '${field.name}' ${text}`,
  );
}

/** A literal turned into something directly comparable with the field's values, or a date range. */
type Operand =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'range'; start: number; end: number };

function toOperand(field: ResolvedField, literal: Literal, nowMs: number): Operand {
  const def = field.field;
  if (literal.kind === 'null') return { kind: 'null' };
  if (def.type === 'id' || def.type === 'reference') {
    if (literal.kind !== 'string') throw typeError(def, literal.pos);
    const id = normalizeId(literal.value);
    if (!id)
      throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', literal.pos, `invalid ID field: ${literal.value}`);
    return { kind: 'value', value: id.slice(0, 15) };
  }
  if (TEXT_TYPES.has(def.type)) {
    if (literal.kind !== 'string') throw typeError(def, literal.pos);
    return { kind: 'value', value: literal.value.toLowerCase() };
  }
  if (def.type === 'boolean') {
    if (literal.kind !== 'boolean') throw typeError(def, literal.pos);
    return { kind: 'value', value: literal.value };
  }
  if (def.type === 'int' || def.type === 'double') {
    if (literal.kind !== 'number') throw typeError(def, literal.pos);
    return { kind: 'value', value: literal.value };
  }
  if (literal.kind === 'dateLiteral')
    return { kind: 'range', ...dateLiteralRange(literal.name, literal.n, nowMs) };
  if (literal.kind !== (def.type === 'date' ? 'date' : 'datetime')) throw typeError(def, literal.pos);
  return { kind: 'value', value: literal.ms };
}

/** Maps a field value to the comparable domain of its operand (lower-case text, 15-char ids). */
function comparableOf(field: ResolvedField): (row: number) => string | number | boolean | null {
  const type = field.field.type;
  if (field.isOwnId) return (row) => row;
  if (type === 'reference') {
    return (row) => {
      const v = field.get(row);
      return typeof v === 'string' ? v.slice(0, 15) : null;
    };
  }
  if (TEXT_TYPES.has(type)) {
    return (row) => {
      const v = field.get(row);
      return typeof v === 'string' ? v.toLowerCase() : null;
    };
  }
  return field.get;
}

/** An id literal as a position among the object's own rows (ids sort in row order). */
function ownIdPosition(table: SObjectTable, id15: string): number {
  const own = table.idOf(0).slice(0, 6);
  const theirs = id15.slice(0, 6);
  if (theirs !== own) return theirs < own ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return parseId(id15).counter - 1;
}

function compareWith(
  op: string,
  read: (row: number) => string | number | boolean | null,
  target: Operand,
): Predicate {
  if (target.kind === 'null') {
    if (op === '=') return (row) => read(row) === null;
    if (op === '!=') return (row) => read(row) !== null;
    return () => false;
  }
  if (target.kind === 'range') {
    const { start, end } = target;
    const inRange = (v: number): boolean => v >= start && v < end;
    const tests: Record<string, (v: number) => boolean> = {
      '=': inRange,
      '<': (v) => v < start,
      '<=': (v) => v < end,
      '>': (v) => v >= end,
      '>=': (v) => v >= start,
    };
    if (op === '!=')
      return (row) => {
        const v = read(row);
        return typeof v !== 'number' || !inRange(v);
      };
    const test = tests[op] ?? inRange;
    return (row) => {
      const v = read(row);
      return typeof v === 'number' && test(v);
    };
  }
  const value = target.value;
  switch (op) {
    case '=':
      return (row) => read(row) === value;
    case '!=':
      // SOQL's != also matches nulls.
      return (row) => read(row) !== value;
    case '<':
      return (row) => {
        const v = read(row);
        return v !== null && v < value;
      };
    case '<=':
      return (row) => {
        const v = read(row);
        return v !== null && v <= value;
      };
    case '>':
      return (row) => {
        const v = read(row);
        return v !== null && v > value;
      };
    default:
      return (row) => {
        const v = read(row);
        return v !== null && v >= value;
      };
  }
}

interface CompileContext {
  tables: TableRegistry;
  base: SObjectTable;
  nowMs: number;
}

function filterableField(ctx: CompileContext, path: FieldPath): ResolvedField {
  const field = resolveField(ctx.tables, ctx.base, path);
  if (!field.field.filterable) {
    throw new SoqlError(
      'INVALID_FIELD',
      path.pos,
      `field '${field.field.name}' can not be filtered in a query call`,
    );
  }
  return field;
}

function operandFor(ctx: CompileContext, field: ResolvedField, literal: Literal): Operand {
  const operand = toOperand(field, literal, ctx.nowMs);
  if (field.isOwnId && operand.kind === 'value' && typeof operand.value === 'string') {
    return { kind: 'value', value: ownIdPosition(ctx.base, operand.value) };
  }
  return operand;
}

function compileCompare(ctx: CompileContext, cond: Extract<Condition, { kind: 'compare' }>): Predicate {
  const field = filterableField(ctx, cond.field);
  if (field.field.type === 'boolean' && cond.op !== '=' && cond.op !== '!=') {
    throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', cond.field.pos, 'invalid operator on boolean field');
  }
  return compareWith(cond.op, comparableOf(field), operandFor(ctx, field, cond.value));
}

function compileIn(ctx: CompileContext, cond: Extract<Condition, { kind: 'in' }>): Predicate {
  const field = filterableField(ctx, cond.field);
  const values = new Set<string | number | boolean | null>();
  for (const literal of cond.values) {
    if (literal.kind === 'dateLiteral') throw malformed(literal.pos, `unexpected token: '${literal.name}'`);
    const operand = operandFor(ctx, field, literal);
    values.add(operand.kind === 'value' ? operand.value : null);
  }
  const read = comparableOf(field);
  if (cond.negated) return (row) => !values.has(read(row));
  return (row) => {
    const v = read(row);
    return v !== null && values.has(v);
  };
}

function compileLike(ctx: CompileContext, cond: Extract<Condition, { kind: 'like' }>): Predicate {
  const field = filterableField(ctx, cond.field);
  if (!TEXT_TYPES.has(field.field.type)) {
    throw new SoqlError(
      'INVALID_QUERY_FILTER_OPERATOR',
      cond.field.pos,
      `invalid operator on field '${field.field.name}': LIKE applies to text fields only`,
    );
  }
  if (cond.pattern.kind === 'null') return () => false;
  if (cond.pattern.kind !== 'string') throw typeError(field.field, cond.pattern.pos);
  const pattern = new RegExp(`^${cond.pattern.likeSource}$`, 'is');
  return (row) => {
    const v = field.get(row);
    return typeof v === 'string' && pattern.test(v);
  };
}

function compileCondition(ctx: CompileContext, cond: Condition): Predicate {
  switch (cond.kind) {
    case 'and': {
      const parts = cond.items.map((c) => compileCondition(ctx, c));
      return (row) => parts.every((p) => p(row));
    }
    case 'or': {
      const parts = cond.items.map((c) => compileCondition(ctx, c));
      return (row) => parts.some((p) => p(row));
    }
    case 'not': {
      const inner = compileCondition(ctx, cond.item);
      return (row) => !inner(row);
    }
    case 'compare':
      return compileCompare(ctx, cond);
    case 'in':
      return compileIn(ctx, cond);
    default:
      return compileLike(ctx, cond);
  }
}

function compileSelect(ctx: CompileContext, query: SoqlQuery): ResolvedField[] {
  if (query.select.kind === 'count') return [];
  const seen = new Set<string>();
  return query.select.fields.map((path) => {
    const field = resolveField(ctx.tables, ctx.base, path);
    const key = field.path.join('.').toLowerCase();
    if (seen.has(key)) throw malformed(path.pos, `duplicate field selected: ${field.path.join('.')}`);
    seen.add(key);
    return field;
  });
}

function compileOrder(ctx: CompileContext, query: SoqlQuery): OrderKey[] {
  return query.orderBy.map((item) => {
    const field = resolveField(ctx.tables, ctx.base, item.field);
    if (!field.field.sortable) {
      throw new SoqlError(
        'INVALID_FIELD',
        item.field.pos,
        `field '${field.field.name}' can not be sorted in a query call`,
      );
    }
    return { field, descending: item.descending, nullsLast: item.nullsLast };
  });
}

/** Throws SoqlError for anything Salesforce would refuse. */
export function compileQuery(text: string, tables: TableRegistry, nowMs: number): CompiledQuery {
  const query = parseSoql(text);
  const base = resolveTable(tables, query.from.name, query.from.pos);
  const ctx: CompileContext = { tables, base, nowMs };
  const fields = compileSelect(ctx, query);
  const predicate = query.where ? compileCondition(ctx, query.where) : null;
  const order = compileOrder(ctx, query);
  if (query.offset && query.offset.value > MAX_OFFSET) {
    throw new SoqlError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      query.offset.pos,
      `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
    );
  }
  const compiled: CompiledQuery = {
    text,
    table: base,
    isCount: query.select.kind === 'count',
    fields,
    predicate,
    order,
    offset: query.offset?.value ?? 0,
  };
  if (query.limit !== undefined) compiled.limit = query.limit;
  if (compiled.isCount)
    compiled.bulkRefusal = 'Aggregate Functions such as COUNT() are not supported by Bulk API 2.0';
  else if (query.offset) compiled.bulkRefusal = 'OFFSET is not supported by Bulk API 2.0';
  return compiled;
}
