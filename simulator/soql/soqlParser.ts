/**
 * Recursive-descent parser for the SOQL subset seatwise needs. Anything outside the subset is a
 * MALFORMED_QUERY at the token where it starts, as Salesforce reports unexpected tokens.
 */
import { malformed, unexpectedToken } from './soqlErrors.js';
import type { Token } from './soqlLexer.js';
import { tokenize } from './soqlLexer.js';

export interface FieldPath {
  segments: string[];
  pos: number;
}

export type Literal =
  | { kind: 'string'; value: string; likeSource: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'date'; ms: number; pos: number }
  | { kind: 'datetime'; ms: number; pos: number }
  | { kind: 'dateLiteral'; name: string; n: number; pos: number };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; field: FieldPath; op: ComparisonOp; value: Literal }
  | { kind: 'in'; field: FieldPath; negated: boolean; values: Literal[] }
  | { kind: 'like'; field: FieldPath; pattern: Literal };

export interface OrderItem {
  field: FieldPath;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  select: { kind: 'count'; pos: number } | { kind: 'fields'; fields: FieldPath[] };
  from: { name: string; pos: number };
  where?: Condition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: { value: number; pos: number };
}

const DATE_LITERALS = new Set([
  'TODAY',
  'YESTERDAY',
  'TOMORROW',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_MONTH',
  'LAST_MONTH',
  'THIS_YEAR',
  'LAST_YEAR',
]);
const N_DATE_LITERALS = new Set(['LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO']);
const UNSUPPORTED_CLAUSES = new Set(['GROUP', 'HAVING', 'WITH', 'FOR', 'USING', 'UPDATE']);
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'ORDER', 'LIMIT', 'OFFSET', 'NULL']);

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    this.index = Math.min(this.index + 1, this.tokens.length - 1);
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'ident' && token.text.toUpperCase() === word;
  }

  private isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.text === text;
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw unexpectedToken(this.peek().pos, this.peek().text);
    return this.next();
  }

  private expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw unexpectedToken(this.peek().pos, this.peek().text);
    return this.next();
  }

  private fail(): never {
    throw unexpectedToken(this.peek().pos, this.peek().text);
  }

  parseQuery(): SoqlQuery {
    this.expectKeyword('SELECT');
    const select = this.parseSelectList();
    this.expectKeyword('FROM');
    const fromToken = this.next();
    if (fromToken.kind !== 'ident') throw unexpectedToken(fromToken.pos, fromToken.text);
    const query: SoqlQuery = { select, from: { name: fromToken.text, pos: fromToken.pos }, orderBy: [] };
    if (this.isKeyword('WHERE')) {
      this.next();
      query.where = this.parseCondition();
    }
    this.rejectUnsupportedClause();
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      query.orderBy = this.parseOrderList();
    }
    if (this.isKeyword('LIMIT')) {
      this.next();
      query.limit = this.parseNonNegativeInt().value;
    }
    if (this.isKeyword('OFFSET')) {
      this.next();
      query.offset = this.parseNonNegativeInt();
    }
    this.rejectUnsupportedClause();
    if (this.peek().kind !== 'eof') this.fail();
    return query;
  }

  private rejectUnsupportedClause(): void {
    const token = this.peek();
    if (token.kind === 'ident' && UNSUPPORTED_CLAUSES.has(token.text.toUpperCase())) {
      throw malformed(token.pos, `unexpected token: '${token.text}' (not supported by this simulator)`);
    }
  }

  private parseSelectList(): SoqlQuery['select'] {
    if (this.isKeyword('COUNT') && this.isPunct('(', 1)) {
      const pos = this.next().pos;
      this.next();
      if (!this.isPunct(')'))
        throw malformed(pos, 'Aggregate functions other than COUNT() are not supported');
      this.next();
      return { kind: 'count', pos };
    }
    const fields: FieldPath[] = [this.parseSelectItem()];
    while (this.isPunct(',')) {
      this.next();
      fields.push(this.parseSelectItem());
    }
    return { kind: 'fields', fields };
  }

  private parseSelectItem(): FieldPath {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === '(') {
      throw malformed(token.pos, 'Parent-to-child subqueries are not supported');
    }
    if (token.kind === 'ident' && this.isPunct('(', 1)) {
      throw malformed(token.pos, `unexpected token: '${token.text}(' (functions are not supported)`);
    }
    if (token.kind === 'ident' && token.text.toUpperCase() === 'TYPEOF') this.fail();
    return this.parseFieldPath();
  }

  private parseFieldPath(): FieldPath {
    const first = this.next();
    if (first.kind !== 'ident' || RESERVED.has(first.text.toUpperCase())) {
      throw unexpectedToken(first.pos, first.text);
    }
    const segments = [first.text];
    while (this.isPunct('.')) {
      this.next();
      const part = this.next();
      if (part.kind !== 'ident') throw unexpectedToken(part.pos, part.text);
      segments.push(part.text);
    }
    return { segments, pos: first.pos };
  }

  /** Salesforce refuses `a AND b OR c` without parentheses, so one level holds one connective. */
  private parseCondition(): Condition {
    const first = this.parseUnary();
    let connective: 'and' | 'or' | undefined;
    const items = [first];
    while (this.isKeyword('AND') || this.isKeyword('OR')) {
      const word = this.peek().text.toLowerCase() as 'and' | 'or';
      if (connective && connective !== word) this.fail();
      connective = word;
      this.next();
      items.push(this.parseUnary());
    }
    return connective ? { kind: connective, items } : first;
  }

  private parseUnary(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', item: this.parseUnary() };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.parseCondition();
      this.expectPunct(')');
      return inner;
    }
    return this.parseSimpleCondition();
  }

  private parseSimpleCondition(): Condition {
    const field = this.parseFieldPath();
    const token = this.peek();
    if (token.kind === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(token.text)) {
      this.next();
      const op = (token.text === '<>' ? '!=' : token.text) as ComparisonOp;
      return { kind: 'compare', field, op, value: this.parseLiteral() };
    }
    if (this.isKeyword('NOT') && this.isKeyword('IN', 1)) {
      this.next();
      this.next();
      return { kind: 'in', field, negated: true, values: this.parseLiteralList() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      return { kind: 'in', field, negated: false, values: this.parseLiteralList() };
    }
    if (this.isKeyword('LIKE')) {
      this.next();
      return { kind: 'like', field, pattern: this.parseLiteral() };
    }
    return this.fail();
  }

  private parseLiteralList(): Literal[] {
    this.expectPunct('(');
    if (this.isKeyword('SELECT')) throw malformed(this.peek().pos, 'Semi-join subqueries are not supported');
    const values = [this.parseLiteral()];
    while (this.isPunct(',')) {
      this.next();
      values.push(this.parseLiteral());
    }
    this.expectPunct(')');
    return values;
  }

  private parseLiteral(): Literal {
    const token = this.next();
    const pos = token.pos;
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value ?? '', likeSource: token.likeSource ?? '', pos };
      case 'number':
        return { kind: 'number', value: Number(token.text), pos };
      case 'date':
        return { kind: 'date', ms: parseDate(token), pos };
      case 'datetime':
        return { kind: 'datetime', ms: parseDateTime(token), pos };
      case 'punct':
        if (token.text === ':') throw malformed(pos, 'Bind variables only allowed in Apex code');
        throw unexpectedToken(pos, token.text);
      case 'ident':
        return this.parseWordLiteral(token);
      default:
        throw unexpectedToken(pos, token.text);
    }
  }

  private parseWordLiteral(token: Token): Literal {
    const word = token.text.toUpperCase();
    const pos = token.pos;
    if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', pos };
    if (word === 'NULL') return { kind: 'null', pos };
    if (DATE_LITERALS.has(word)) return { kind: 'dateLiteral', name: word, n: 0, pos };
    if (N_DATE_LITERALS.has(word)) {
      this.expectPunct(':');
      return { kind: 'dateLiteral', name: word, n: this.parseNonNegativeInt().value, pos };
    }
    throw unexpectedToken(pos, token.text);
  }

  private parseNonNegativeInt(): { value: number; pos: number } {
    const token = this.next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw unexpectedToken(token.pos, token.text);
    return { value: Number(token.text), pos: token.pos };
  }

  private parseOrderList(): OrderItem[] {
    const items = [this.parseOrderItem()];
    while (this.isPunct(',')) {
      this.next();
      items.push(this.parseOrderItem());
    }
    return items;
  }

  private parseOrderItem(): OrderItem {
    const field = this.parseFieldPath();
    let descending = false;
    if (this.isKeyword('ASC') || this.isKeyword('DESC'))
      descending = this.next().text.toUpperCase() === 'DESC';
    // Salesforce sorts nulls first unless told otherwise, in either direction.
    let nullsLast = false;
    if (this.isKeyword('NULLS')) {
      this.next();
      if (this.isKeyword('FIRST') || this.isKeyword('LAST'))
        nullsLast = this.next().text.toUpperCase() === 'LAST';
      else this.fail();
    }
    return { field, descending, nullsLast };
  }
}

function parseDate(token: Token): number {
  const ms = Date.parse(`${token.text}T00:00:00Z`);
  if (Number.isNaN(ms)) throw malformed(token.pos, `invalid date: ${token.text}`);
  return ms;
}

function parseDateTime(token: Token): number {
  const normalized = token.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  if (Number.isNaN(ms)) throw malformed(token.pos, `invalid datetime: ${token.text}`);
  return ms;
}

export function parseSoql(text: string): SoqlQuery {
  return new Parser(tokenize(text)).parseQuery();
}
