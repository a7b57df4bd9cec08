/**
 * Rows of the one CSV dialect Bulk API 2.0 results use (RFC 4180: comma-delimited, fields quoted
 * with `"` and a doubled `""` inside, LF or CRLF line ends, line breaks allowed inside quotes), from
 * text that arrives in chunks. A general CSV library spent more of a big download's time than
 * anything else in the worker, looking at each character; here a field is found with `indexOf` and
 * cut with one `slice`.
 *
 * Strict where Salesforce is regular: a quote inside an unquoted field, text after a closing quote,
 * a quote never closed and a record longer than `maxRecordChars` are errors (with a `code`, as the
 * HTTP layer reports them), never guessed at.
 */
const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

/** A record parsed from `text` at some offset: its fields and where the next one starts. */
interface Parsed {
  fields: string[];
  next: number;
}

export class CsvRowParser {
  /** Text not yet parsed: the start of a record that did not end in the chunks so far. */
  private pending = '';
  private first = true;

  constructor(private readonly maxRecordChars: number) {}

  /** The records that `text` completes, in order. */
  push(text: string): string[][] {
    let input = this.pending + text;
    if (this.first && input.length > 0) {
      this.first = false;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    return this.drain(input, false);
  }

  /** The body ended: the last record, when it had no line end after it. */
  end(): string[][] {
    const rows = this.drain(this.pending, true);
    this.pending = '';
    return rows;
  }

  private drain(input: string, final: boolean): string[][] {
    const rows: string[][] = [];
    let at = 0;
    while (at < input.length) {
      const parsed = parseRecord(input, at, final);
      if (parsed === null) break;
      rows.push(parsed.fields);
      at = parsed.next;
    }
    this.pending = at === 0 ? input : input.slice(at);
    if (this.pending.length > this.maxRecordChars)
      throw new CsvFormatError(
        'CSV_MAX_RECORD_SIZE',
        `a Bulk results record is longer than ${this.maxRecordChars} characters`,
      );
    return rows;
  }
}

/** The record starting at `start`, or null when `text` ends before it does (and more may come). */
function parseRecord(text: string, start: number, final: boolean): Parsed | null {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    if (text.charCodeAt(at) === QUOTE) {
      const quoted = parseQuoted(text, at, final);
      if (quoted === null) return null;
      fields.push(quoted.value);
      at = quoted.next;
    } else {
      const end = unquotedEnd(text, at);
      if (end === text.length && !final) return null;
      const value = text.slice(at, end);
      if (value.includes('"'))
        throw new CsvFormatError('CSV_INVALID_QUOTE', 'a quote inside an unquoted Bulk results field');
      fields.push(value);
      at = end;
    }
    // `at` is on the delimiter after the field, or past the text (where a closing quote that ends
    // the text may yet be the first half of `""`: the record is parsed again with the next chunk).
    if (at >= text.length) return final ? { fields, next: at } : null;
    const c = text.charCodeAt(at);
    if (c === COMMA) {
      at += 1;
      continue;
    }
    if (c === LF) return { fields, next: at + 1 };
    if (c === CR) {
      if (at + 1 >= text.length) return final ? { fields, next: at + 1 } : null;
      if (text.charCodeAt(at + 1) === LF) return { fields, next: at + 2 };
    }
    throw new CsvFormatError('CSV_INVALID_CLOSING_QUOTE', 'text after a closing quote in Bulk results');
  }
}

/** Where an unquoted field starting at `at` ends: its comma, its line end, or the end of the text. */
function unquotedEnd(text: string, at: number): number {
  for (let i = at; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === LF || c === CR) return i;
  }
  return text.length;
}

/** The quoted field whose opening quote is at `at`, or null when its closing quote has not come yet. */
function parseQuoted(text: string, at: number, final: boolean): { value: string; next: number } | null {
  let from = at + 1;
  let value = '';
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === -1) {
      if (final) throw new CsvFormatError('CSV_QUOTE_NOT_CLOSED', 'a quoted Bulk results field never closes');
      return null;
    }
    if (text.charCodeAt(close + 1) === QUOTE) {
      value += text.slice(from, close + 1);
      from = close + 2;
      continue;
    }
    return { value: value + text.slice(from, close), next: close + 1 };
  }
}
