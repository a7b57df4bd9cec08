/** Tokens of the SOQL subset. Keywords are plain identifiers; the parser reads them case-insensitively. */
import { malformed, unexpectedToken } from './soqlErrors.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  /** Unescaped text of a string literal. */
  value?: string;
  /** Anchored, case-insensitive regular-expression source for the same literal used with LIKE. */
  likeSource?: string;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(\.\d+)?(?![\w.])/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const PUNCT = ['!=', '<>', '<=', '>=', '=', '<', '>', '(', ')', ',', '.', ':'];
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  N: '\n',
  t: '\t',
  T: '\t',
  r: '\r',
  R: '\r',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function readString(text: string, start: number): { token: Token; end: number } {
  let value = '';
  let like = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === "'") {
      const token: Token = {
        kind: 'string',
        text: text.slice(start, i + 1),
        pos: start,
        value,
        likeSource: like,
      };
      return { token, end: i + 1 };
    }
    if (ch === '\\') {
      const next = text.charAt(i + 1);
      if (next === '%' || next === '_') {
        value += next;
        like += next;
      } else if (ESCAPES[next] !== undefined) {
        value += ESCAPES[next];
        like += (ESCAPES[next] ?? '').replace(REGEX_SPECIAL, '\\$&');
      } else {
        throw malformed(i, 'Invalid string literal: Illegal escape sequence');
      }
      i += 2;
      continue;
    }
    value += ch;
    like += ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(REGEX_SPECIAL, '\\$&');
    i += 1;
  }
  throw malformed(start, 'unexpected token: unterminated string literal');
}

const WORD_PATTERNS: ReadonlyArray<[TokenKind, RegExp]> = [
  ['datetime', DATETIME],
  ['date', DATE],
  ['number', NUMBER],
  ['ident', IDENT],
];

function readWord(rest: string): { kind: TokenKind; text: string } | undefined {
  for (const [kind, pattern] of WORD_PATTERNS) {
    const m = pattern.exec(rest);
    if (m) return { kind, text: m[0] };
  }
  return undefined;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "'") {
      const { token, end } = readString(text, i);
      tokens.push(token);
      i = end;
      continue;
    }
    const word = readWord(text.slice(i));
    if (word) {
      tokens.push({ kind: word.kind, text: word.text, pos: i });
      i += word.text.length;
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (!punct) throw unexpectedToken(i, ch);
    tokens.push({ kind: 'punct', text: punct, pos: i });
    i += punct.length;
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: text.length });
  return tokens;
}
