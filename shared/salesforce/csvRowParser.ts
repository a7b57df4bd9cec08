/**
 * Rows of the one CSV dialect Bulk API 2.0 results use (RFC 4180: comma-delimited, fields quoted
 * with `"` and a doubled `""` inside, LF or CRLF line ends, line breaks allowed inside quotes), from
 * the body's bytes as they arrive. A general CSV library spent more of a big download's time than
 * anything else in the worker, looking at each character; here a field is found with `indexOf` on
 * the bytes (the delimiters are ASCII, never part of a UTF-8 sequence) and decoded once.
 *
 * Each field is decoded from the bytes into a string of its own. Cut out of a decoded chunk with
 * `slice`, a field would be a view that keeps the whole chunk alive: a million-user download that
 * kept a sample of usernames kept every chunk of the body that way, and ran out of heap.
 *
 * Strict where Salesforce is regular: a quote inside an unquoted field, text after a closing quote,
 * a quote never closed and a record longer than `maxRecordBytes` are errors (with a `code`, as the
 * HTTP layer reports them), never guessed at.
 */
const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class CsvFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

/** A record parsed from some offset: its fields and where the next one starts. */
interface Parsed {
  fields: string[];
  next: number;
}

export class CsvRowParser {
  /** Bytes not yet parsed: the start of a record that did not end in the chunks so far. */
  private pending: Buffer = Buffer.alloc(0);
  private first = true;

  constructor(private readonly maxRecordBytes: number) {}

  /** The records that `chunk` completes, in order. */
  push(chunk: Buffer): string[][] {
    const input = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return this.drain(input, false);
  }

  /** The body ended: the last record, when it had no line end after it. */
  end(): string[][] {
    return this.drain(this.pending, true);
  }

  private drain(input: Buffer, final: boolean): string[][] {
    let at = 0;
    if (this.first) {
      // Too short to tell whether it starts with a byte order mark: wait for more.
      if (input.length < BOM.length && !final && BOM.subarray(0, input.length).equals(input)) {
        this.pending = input;
        return [];
      }
      this.first = false;
      if (input.subarray(0, BOM.length).equals(BOM)) at = BOM.length;
    }
    const rows: string[][] = [];
    while (at < input.length) {
      const parsed = parseRecord(input, at, final);
      if (parsed === null) break;
      rows.push(parsed.fields);
      at = parsed.next;
    }
    this.pending = final ? Buffer.alloc(0) : input.subarray(at);
    if (this.pending.length > this.maxRecordBytes)
      throw new CsvFormatError(
        'CSV_MAX_RECORD_SIZE',
        `a Bulk results record is longer than ${this.maxRecordBytes} bytes`,
      );
    return rows;
  }
}

/** The record starting at `start`, or null when the bytes end before it does (and more may come). */
function parseRecord(bytes: Buffer, start: number, final: boolean): Parsed | null {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    if (bytes[at] === QUOTE) {
      const quoted = parseQuoted(bytes, at, final);
      if (quoted === null) return null;
      fields.push(quoted.value);
      at = quoted.next;
    } else {
      const end = unquotedEnd(bytes, at);
      if (end === bytes.length && !final) return null;
      fields.push(at === end ? '' : bytes.toString('utf8', at, end));
      at = end;
    }
    // `at` is on the delimiter after the field, or past the bytes (where a closing quote that ends
    // them may yet be the first half of `""`: the record is parsed again with the next chunk).
    if (at >= bytes.length) return final ? { fields, next: at } : null;
    const c = bytes[at];
    if (c === COMMA) {
      at += 1;
      continue;
    }
    if (c === LF) return { fields, next: at + 1 };
    if (c === CR) {
      if (at + 1 >= bytes.length) return final ? { fields, next: at + 1 } : null;
      if (bytes[at + 1] === LF) return { fields, next: at + 2 };
    }
    throw new CsvFormatError('CSV_INVALID_CLOSING_QUOTE', 'text after a closing quote in Bulk results');
  }
}

/** Where an unquoted field starting at `at` ends: its comma, its line end, or the end of the bytes. */
function unquotedEnd(bytes: Buffer, at: number): number {
  for (let i = at; i < bytes.length; i += 1) {
    const c = bytes[i];
    if (c === COMMA || c === LF || c === CR) return i;
    if (c === QUOTE)
      throw new CsvFormatError('CSV_INVALID_QUOTE', 'a quote inside an unquoted Bulk results field');
  }
  return bytes.length;
}

/** The quoted field whose opening quote is at `at`, or null when its closing quote has not come yet. */
function parseQuoted(bytes: Buffer, at: number, final: boolean): { value: string; next: number } | null {
  let from = at + 1;
  let value = '';
  for (;;) {
    const close = bytes.indexOf(QUOTE, from);
    if (close === -1) {
      if (final) throw new CsvFormatError('CSV_QUOTE_NOT_CLOSED', 'a quoted Bulk results field never closes');
      return null;
    }
    if (bytes[close + 1] === QUOTE) {
      // `""`: one quote of the value; the bytes up to it are whole characters.
      value += bytes.toString('utf8', from, close + 1);
      from = close + 2;
      continue;
    }
    const last = close === from ? '' : bytes.toString('utf8', from, close);
    return { value: value === '' ? last : value + last, next: close + 1 };
  }
}
