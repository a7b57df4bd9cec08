/** Errors in Salesforce's REST shape: a JSON array of `{message, errorCode, fields?}`. */
export interface RestErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  body(): RestErrorBody[] {
    const entry: RestErrorBody = { message: this.message, errorCode: this.errorCode };
    if (this.fields) entry.fields = this.fields;
    return [entry];
  }
}

/** Per-record error inside composite and collection results (note `statusCode`, not `errorCode`). */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export const notFound = (): SalesforceApiError =>
  new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const invalidSession = (): SalesforceApiError =>
  new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const totalRequestsExceeded = (): SalesforceApiError =>
  new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');

export const concurrentRequestsExceeded = (): SalesforceApiError =>
  new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');

export function jsonParserError(detail: string): SalesforceApiError {
  return new SalesforceApiError(400, 'JSON_PARSER_ERROR', detail);
}

/** Salesforce answers a body it cannot read with JSON_PARSER_ERROR, never a 500. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '')
    throw jsonParserError('No content to map due to end-of-input at [line:1, column:0]');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw jsonParserError(`Unexpected character: ${(error as Error).message} at [line:1, column:1]`);
  }
}
