/**
 * The shape of a queryable sObject: typed fields read straight from the org's columns by row
 * index, and parent relationships that map a row to a row of another table.
 */
import { makeId, parseId } from '../org/salesforceIds.js';

export type FieldType =
  'id' | 'reference' | 'string' | 'email' | 'picklist' | 'boolean' | 'int' | 'double' | 'datetime' | 'date';

/** Dates and datetimes are epoch milliseconds. */
export type FieldValue = string | number | boolean | null;

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  get(row: number): FieldValue;
  updateable: boolean;
  createable: boolean;
  filterable: boolean;
  sortable: boolean;
  nillable: boolean;
  referenceTo?: string;
  relationshipName?: string;
}

export interface RelationshipDef {
  name: string;
  target: string;
  /** -1 when the lookup is empty. */
  rowOf(row: number): number;
}

export interface SObjectTable {
  name: string;
  label: string;
  keyPrefix: string;
  updateable: boolean;
  createable: boolean;
  deletable: boolean;
  size(): number;
  /** Deleted rows keep their ids (so a second delete says ENTITY_IS_DELETED) but leave queries. */
  isLive(row: number): boolean;
  fields: readonly FieldDef[];
  field(name: string): FieldDef | undefined;
  relationship(name: string): RelationshipDef | undefined;
  idOf(row: number): string;
  /** Row for an 18-character id of this object in this org, or -1. */
  rowOfId(id18: string): number;
}

export type TableRegistry = ReadonlyMap<string, SObjectTable>;

type DefaultedField = 'label' | 'updateable' | 'createable' | 'filterable' | 'sortable' | 'nillable';
export type FieldSpec = Omit<FieldDef, DefaultedField> & Partial<Pick<FieldDef, DefaultedField>>;

export interface TableSpec {
  name: string;
  label?: string;
  keyPrefix: string;
  idSpace: string;
  size(): number;
  isLive?(row: number): boolean;
  fields: FieldSpec[];
  relationships?: RelationshipDef[];
  updateable?: boolean;
  createable?: boolean;
  deletable?: boolean;
}

function labelOf(name: string): string {
  return name
    .replace(/Id$/, ' ID')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

export function defineTable(spec: TableSpec): SObjectTable {
  const idOf = (row: number): string => makeId(spec.keyPrefix, spec.idSpace, row + 1);
  const idField: FieldSpec = { name: 'Id', label: 'Record ID', type: 'id', get: idOf, nillable: false };
  const fields: FieldDef[] = [idField, ...spec.fields].map((f) => ({
    updateable: false,
    createable: false,
    filterable: true,
    sortable: true,
    nillable: f.type !== 'boolean' && f.type !== 'id',
    label: labelOf(f.name),
    ...f,
  }));
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const relationships = new Map((spec.relationships ?? []).map((r) => [r.name.toLowerCase(), r]));
  return {
    name: spec.name,
    label: spec.label ?? labelOf(spec.name),
    keyPrefix: spec.keyPrefix,
    updateable: spec.updateable ?? false,
    createable: spec.createable ?? false,
    deletable: spec.deletable ?? false,
    size: spec.size,
    isLive: spec.isLive ?? (() => true),
    fields,
    field: (name) => byName.get(name.toLowerCase()),
    relationship: (name) => relationships.get(name.toLowerCase()),
    idOf,
    rowOfId(id18) {
      const parts = parseId(id18);
      if (parts.prefix !== spec.keyPrefix || parts.space !== spec.idSpace) return -1;
      const row = parts.counter - 1;
      return row >= 0 && row < spec.size() ? row : -1;
    },
  };
}
