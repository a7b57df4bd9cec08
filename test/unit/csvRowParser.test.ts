import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readCsvPages, type CsvRecord } from '../../shared/salesforce/bulkCsv.js';
import { CsvRowParser } from '../../shared/salesforce/csvRowParser.js';

/** A Bulk results body as Salesforce writes one, with every quoting case in it. */
const BODY =
  '"Id","Name","Profile.Name","Title"\n' +
  '"0051","Ann ""Nan"" Lee","Standard User",\n' +
  '"0052","Bo, Jr.",,"line one\nline two"\n' +
  '"0053","Zoë Ørsted","Système","crlf\r\ninside"\n' +
  ',"","",""\n';

/** The same with CRLF record ends (the line break inside a quoted field stays as it is). */
const CRLF_BODY = BODY.replace(/"\n/g, '"\r\n').replace(/,\n/g, ',\r\n');

const ROWS = [
  ['Id', 'Name', 'Profile.Name', 'Title'],
  ['0051', 'Ann "Nan" Lee', 'Standard User', ''],
  ['0052', 'Bo, Jr.', '', 'line one\nline two'],
  ['0053', 'Zoë Ørsted', 'Système', 'crlf\r\ninside'],
  ['', '', '', ''],
];

/** `text` as UTF-8 bytes, handed over in chunks cut at the given byte offsets. */
function parseInChunks(text: string, cuts: readonly number[], max = 1_000): string[][] {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new CsvRowParser(max);
  const rows: string[][] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    rows.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  rows.push(...parser.end());
  return rows;
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('Bulk results CSV rows', () => {
  it('when a body arrives whole, then every quoting case comes out as Salesforce meant it', () => {
    expect(parseInChunks(BODY, [])).toEqual(ROWS);
  });

  it('when a body is cut into two chunks at any byte, inside a character too, then the rows are the same, with LF or CRLF line ends', () => {
    for (const body of [BODY, CRLF_BODY])
      for (let cut = 1; cut < byteLength(body); cut += 1) expect(parseInChunks(body, [cut])).toEqual(ROWS);
  });

  it('when a body comes a byte at a time, then the rows are the same', () => {
    expect(
      parseInChunks(
        BODY,
        Array.from({ length: byteLength(BODY) - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(ROWS);
  });

  it('when lines end in CRLF, start with a byte order mark or the last has no line end, then the rows are the same', () => {
    expect(parseInChunks(`\uFEFF${CRLF_BODY}`, [1, 2, 40])).toEqual(ROWS);
    expect(parseInChunks(BODY.slice(0, -1), [30])).toEqual(ROWS);
  });

  it('when the body is malformed, then it is an error with a code, never a guess', () => {
    expect(codeOf(() => parseInChunks('"a","b\n', [3]))).toBe('CSV_QUOTE_NOT_CLOSED');
    expect(codeOf(() => parseInChunks('"a"x,"b"\n', []))).toBe('CSV_INVALID_CLOSING_QUOTE');
    expect(codeOf(() => parseInChunks('a"b,c\n', []))).toBe('CSV_INVALID_QUOTE');
    expect(codeOf(() => parseInChunks(`"${'x'.repeat(50)}`, [10, 20, 30, 40], 40))).toBe(
      'CSV_MAX_RECORD_SIZE',
    );
  });

  it('when a body is read as a stream cut inside a multi-byte character, then records and pages are whole', async () => {
    const bytes = Buffer.from(BODY, 'utf8');
    const cut = bytes.indexOf(Buffer.from('ë', 'utf8')) + 1;
    const stream = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]);
    const pages: CsvRecord[][] = [];
    await readCsvPages(stream, {
      skip: 0,
      pageSize: 2,
      convert: (record) => record,
      deliver: (page) => {
        pages.push(page);
        return Promise.resolve(true);
      },
    });
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    expect(pages[1]?.[0]).toMatchObject({ Id: '0053', Name: 'Zoë Ørsted', Profile: { Name: 'Système' } });
    expect(pages[1]?.[1]).toEqual({ Id: null, Name: null, Profile: null, Title: null });
  });

  it('when a row has more or fewer fields than the header, then reading stops with an error', async () => {
    const read = readCsvPages(Readable.from([Buffer.from('"Id","Name"\n"1","a"\n"2"\n')]), {
      skip: 0,
      pageSize: 10,
      convert: (record) => record,
      deliver: () => Promise.resolve(true),
    });
    await expect(read).rejects.toMatchObject({ code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' });
  });

  it('when a short field of every row is kept, then the body it came from is not kept with it', () => {
    // A million-user download kept a sample of usernames; fields cut out of a decoded chunk kept
    // each whole chunk alive with them, and the worker ran out of heap.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const filler = 'x'.repeat(1_000);
    const lines = Array.from({ length: 20_000 }, (_, i) => `"user${i}@acme.example.com","${filler}"`);
    const body = Buffer.from(`"Username","Title"\n${lines.join('\n')}\n`);
    const parser = new CsvRowParser(1_000_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    for (let at = 0; at < body.length; at += 65_536)
      for (const row of parser.push(body.subarray(at, at + 65_536))) kept.push(row[0] as string);
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(kept).toHaveLength(20_001);
    // The usernames are under 1 MB; the body is 20 MB.
    expect(retained).toBeLessThan(body.length / 8);
  });
});
