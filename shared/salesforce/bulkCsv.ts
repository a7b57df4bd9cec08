/**
 * Bulk API 2.0 CSV rows shaped like REST JSON records, so one zod schema parses both paths:
 * empty → null, 'true'/'false' → booleans, `…000Z` datetimes → REST's `…000+0000`, and
 * `Profile.UserLicense.Name` columns → nested objects (null when every field under it is empty,
 * as REST returns an empty relationship).
 */
import type { Readable } from 'node:stream';
import { CsvFormatError, CsvRowParser } from './csvRowParser.js';
import { MAX_CSV_RECORD_BYTES, MAX_STREAMED_RESPONSE_BYTES } from './httpLimits.js';
import { SalesforceError } from './salesforceError.js';

const CSV_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export type CsvRecord = Record<string, unknown>;

function valueOf(raw: string): string | boolean | null {
  if (raw === '') return null;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw.length === 24 && CSV_DATETIME.test(raw)) return `${raw.slice(0, 23)}+0000`;
  return raw;
}

/** Builds records for one CSV header; relationship paths are split once, not per row. */
export function csvRecordBuilder(header: readonly string[]): (row: readonly string[]) => CsvRecord {
  const paths = header.map((column) => column.split('.'));
  const nested = paths.some((p) => p.length > 1);
  return (row) => {
    const record: CsvRecord = {};
    for (let c = 0; c < paths.length; c += 1) {
      const path = paths[c] as string[];
      const value = valueOf(row[c] ?? '');
      if (path.length === 1) {
        record[path[0] as string] = value;
        continue;
      }
      let target = record;
      for (let d = 0; d < path.length - 1; d += 1) {
        const key = path[d] as string;
        const next = target[key];
        if (next === undefined || next === null) target = target[key] = {} as CsvRecord;
        else target = next as CsvRecord;
      }
      target[path[path.length - 1] as string] = value;
    }
    if (nested) collapseEmpty(record);
    return record;
  };
}

/** Nulls relationship objects with no value anywhere below; returns whether `record` is empty. */
function collapseEmpty(record: CsvRecord): boolean {
  let empty = true;
  // `for…in`, not Object.entries: this runs for every row, and entries allocated an array per field.
  for (const key in record) {
    const value = record[key];
    if (value !== null && typeof value === 'object') {
      if (collapseEmpty(value as CsvRecord)) record[key] = null;
      else empty = false;
    } else if (value !== null) {
      empty = false;
    }
  }
  return empty;
}

export interface CsvPageReading<T> {
  /** Rows at the start of this body that an earlier attempt already delivered: parsed, not kept. */
  skip: number;
  /** Rows per delivered page. */
  pageSize: number;
  /** `index` counts rows from the start of the body. */
  convert: (record: CsvRecord, index: number) => T;
  /** Hands a page on; resolves false when nobody wants more, which ends the reading. */
  deliver: (records: T[]) => Promise<boolean>;
}

/**
 * Streams one results body and delivers it in pages of `pageSize` rows, each only after the
 * previous one was taken: the body is read as fast as its pages are used, so one call can carry far
 * more rows than a worker should hold at once. A body without rows delivers one empty page, as an
 * empty REST query answers one empty page.
 */
export async function readCsvPages<T>(stream: Readable, reading: CsvPageReading<T>): Promise<void> {
  // One record is held whole while it is parsed: a row that never ends must not fill the heap.
  const rows = new CsvRowParser(MAX_CSV_RECORD_BYTES);
  let columns = 0;
  let build: ((row: readonly string[]) => CsvRecord) | null = null;
  let index = 0;
  let page: T[] = [];
  /** False once nobody wants more pages. */
  const take = async (row: string[]): Promise<boolean> => {
    if (build === null) {
      build = csvRecordBuilder(row);
      columns = row.length;
      return true;
    }
    if (row.length !== columns)
      throw new CsvFormatError(
        'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
        `Bulk results row ${index + 1} has ${row.length} fields where the header has ${columns}`,
      );
    if (index >= reading.skip) page.push(reading.convert(build(row), index));
    index += 1;
    if (page.length < reading.pageSize) return true;
    const full = page;
    page = [];
    return reading.deliver(full);
  };
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > MAX_STREAMED_RESPONSE_BYTES) throw bodyTooLarge();
      for (const row of rows.push(chunk)) if (!(await take(row))) return;
    }
    for (const row of rows.end()) if (!(await take(row))) return;
    if (page.length > 0 || (index === 0 && reading.skip === 0)) await reading.deliver(page);
  } finally {
    // A consumer that left, or a record that does not parse, ends the body early: free the connection.
    stream.destroy();
  }
}

function bodyTooLarge(): SalesforceError {
  return new SalesforceError(
    `Salesforce Bulk results body is larger than ${MAX_STREAMED_RESPONSE_BYTES} bytes: ask for fewer rows per call`,
    { kind: 'permanent', errorCode: 'RESPONSE_TOO_LARGE', status: null, orgId: null },
  );
}
