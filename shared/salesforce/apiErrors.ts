/** Turns a failed REST / Bulk call into a {@link SalesforceError} of the right kind. */
import axios from 'axios';
import { z } from 'zod';
import { isTooLarge } from './httpLimits.js';
import { SalesforceError, type SalesforceErrorKind } from './salesforceError.js';

export interface CallSite {
  orgId: string | null;
  method: string;
  /** Path only: SOQL and locators stay out of errors. */
  path: string;
}

const errorBodySchema = z
  .array(z.object({ errorCode: z.string(), message: z.string().optional() }).loose())
  .min(1);

const RETRYABLE_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'QUERY_TIMEOUT']);
const NETWORK_CODES = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_CANCELED',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_BAD_RESPONSE',
]);

export function kindOf(status: number, errorCode: string): SalesforceErrorKind {
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return 'limit';
  if (errorCode === 'INVALID_SESSION_ID' || status === 401) return 'auth';
  if (status >= 500 || status === 429 || RETRYABLE_CODES.has(errorCode)) return 'retryable';
  return 'permanent';
}

export function apiError(error: unknown, site: CallSite): SalesforceError {
  if (error instanceof SalesforceError) return error;
  const base = { orgId: site.orgId, method: site.method, path: site.path };
  if (isTooLarge(error)) {
    return new SalesforceError(`Salesforce ${site.method} ${site.path} answered more than seatwise accepts`, {
      ...base,
      kind: 'permanent',
      errorCode: 'RESPONSE_TOO_LARGE',
      status: null,
    });
  }
  if (!axios.isAxiosError(error) || !error.response) {
    const code = axios.isAxiosError(error) ? (error.code ?? 'NETWORK_ERROR') : errorCodeOf(error);
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
    return new SalesforceError(
      `Salesforce ${site.method} ${site.path} ${timedOut ? 'timed out' : `failed without an answer (${code})`}`,
      {
        ...base,
        kind: NETWORK_CODES.has(code) || !axios.isAxiosError(error) ? 'retryable' : 'permanent',
        errorCode: code,
        status: null,
      },
      { cause: new Error(error instanceof Error ? error.message : String(error)) },
    );
  }
  return errorFromBody(error.response.status, error.response.data, site);
}

/** A Salesforce error answer (`[{errorCode, message}]`), also one inside a composite response. */
export function errorFromBody(status: number, data: unknown, site: CallSite): SalesforceError {
  const body = errorBodySchema.safeParse(typeof data === 'string' ? safeJson(data) : data);
  const first = body.success ? body.data[0] : undefined;
  const errorCode = first?.errorCode ?? `HTTP_${status}`;
  const detail = first?.message ?? '';
  return new SalesforceError(
    `Salesforce ${site.method} ${site.path} answered ${status} ${errorCode}${detail ? `: ${detail}` : ''}`,
    {
      orgId: site.orgId,
      method: site.method,
      path: site.path,
      kind: kindOf(status, errorCode),
      errorCode,
      status,
    },
  );
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'NETWORK_ERROR';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
