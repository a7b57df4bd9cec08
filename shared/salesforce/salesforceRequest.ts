/**
 * One call to Salesforce as the client's parts describe it to the client's request pipeline
 * (tokens, pause, breaker, slot, budget, HTTP), and the parsing every JSON answer goes through.
 */
import type { AxiosResponse } from 'axios';
import type { z } from 'zod';
import { SalesforceError } from './salesforceError.js';

export interface RequestSpec<R> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** From the instance root (`/services/data/v62.0/…`), no query string. */
  path: string;
  params?: Record<string, string>;
  data?: unknown;
  headers?: Record<string, string>;
  idempotent: boolean;
  stream?: boolean;
  /**
   * Reads the body while the concurrency slot and the timeout still apply; `outsideDeadline`
   * stops the timeout while the reader waits on its own consumer.
   */
  read: (response: AxiosResponse, outsideDeadline: <W>(wait: Promise<W>) => Promise<W>) => Promise<R> | R;
}

export type SendRequest = <R>(spec: RequestSpec<R>) => Promise<R>;

export function parseBody<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SalesforceError(
      `Salesforce ${what} is not understood: ${issue?.path.map(String).join('.') || '(body)'} ${issue?.message ?? ''}`,
      { kind: 'permanent', errorCode: 'BAD_RESPONSE', status: null, orgId: null },
    );
  }
  return parsed.data;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
