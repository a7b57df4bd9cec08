/**
 * SOQL failures carry the position Salesforce points at: its messages repeat the query line, a
 * caret under the offending token, "ERROR at Row:r:Column:c" and the detail.
 */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    readonly pos: number,
    readonly detail: string,
  ) {
    super(detail);
  }

  messageFor(query: string): string {
    const before = query.slice(0, this.pos);
    const row = before.split('\n').length;
    const column = this.pos - (before.lastIndexOf('\n') + 1) + 1;
    const line = query.split('\n')[row - 1] ?? '';
    return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${this.detail}`;
  }
}

export const malformed = (pos: number, detail: string): SoqlError =>
  new SoqlError('MALFORMED_QUERY', pos, detail);

export const unexpectedToken = (pos: number, text: string): SoqlError =>
  malformed(pos, `unexpected token: '${text}'`);
