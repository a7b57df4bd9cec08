import { SeatwiseError } from '../errors.js';

/**
 * What the caller should do about a failed Salesforce call:
 * - `retryable`: 5xx, timeouts, UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE — try again with backoff;
 * - `auth`: the alias needs re-authorization (invalid_grant, or INVALID_SESSION_ID after a refresh);
 * - `limit`: REQUEST_LIMIT_EXCEEDED from Salesforce — the org is paused;
 * - `paused`: refused before sending (breaker open, seatwise's API budget reached) — wait until `retryAt`;
 * - `permanent`: MALFORMED_QUERY, INVALID_FIELD, INSUFFICIENT_ACCESS… — retrying cannot help.
 */
export type SalesforceErrorKind = 'retryable' | 'auth' | 'limit' | 'paused' | 'permanent';

export interface SalesforceErrorDetails {
  kind: SalesforceErrorKind;
  /** Salesforce's errorCode / OAuth `error` (e.g. INVALID_SESSION_ID, invalid_grant), or our own. */
  errorCode: string;
  /** HTTP status, when a response came back. */
  status: number | null;
  orgId: string | null;
  method?: string;
  /** Path without query string (SOQL and tokens never go into errors). */
  path?: string;
  /** When a `limit`/`paused` org may be called again. */
  retryAt?: Date;
}

export class SalesforceError extends SeatwiseError {
  readonly kind: SalesforceErrorKind;
  readonly errorCode: string;
  readonly status: number | null;
  readonly retryAt: Date | undefined;
  /**
   * What Salesforce said in its own words (`error_description`), kept out of `message` so that it
   * is logged where the error is handled and never echoed to an api client.
   */
  readonly remoteMessage: string | undefined;

  constructor(
    message: string,
    details: SalesforceErrorDetails,
    options?: { cause?: unknown; remoteMessage?: string },
  ) {
    super(
      `SALESFORCE_${details.kind.toUpperCase()}`,
      message,
      { ...details },
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.remoteMessage = options?.remoteMessage;
    this.kind = details.kind;
    this.errorCode = details.errorCode;
    this.status = details.status;
    this.retryAt = details.retryAt;
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }

  /** The org cannot be called right now; the job should wait rather than fail. */
  get pausesOrg(): boolean {
    return this.kind === 'limit' || this.kind === 'paused';
  }
}
