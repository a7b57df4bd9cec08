/** Compiling SOQL for an HTTP request: SOQL errors become Salesforce's 400 bodies. */
import { SalesforceApiError } from '../salesforceErrors.js';
import type { CompiledQuery } from './soqlCompiler.js';
import { compileQuery } from './soqlCompiler.js';
import { SoqlError } from './soqlErrors.js';
import type { SimOrg } from '../org/simOrg.js';

export function compileForRequest(org: SimOrg, soql: string | null): CompiledQuery {
  if (soql === null || soql.trim() === '') {
    throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  }
  try {
    return compileQuery(soql, org.tables, org.data.nowMs);
  } catch (error) {
    if (error instanceof SoqlError)
      throw new SalesforceApiError(400, error.errorCode, error.messageFor(soql));
    throw error;
  }
}
