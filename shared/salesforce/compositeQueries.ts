/**
 * Several SOQL queries in one `POST /composite` call. Salesforce counts the whole composite
 * request as one call against the API allowance, where each query alone is one (REST API
 * Developer Guide, "Composite"; Composite Batch, by contrast, counts every subrequest). It takes
 * at most 5 query subrequests. A query whose answer runs past one page reads the rest by its
 * `nextRecordsUrl`, one call a page, as a lone query would.
 */
import { z } from 'zod';
import { errorFromBody } from './apiErrors.js';
import type { CompositeQuery } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';
import { parseBody, type SendRequest } from './salesforceRequest.js';

/** Salesforce refuses a composite request with more query subrequests. */
export const MAX_COMPOSITE_QUERIES = 5;

const subresultSchema = z.object({
  body: z.unknown(),
  httpStatusCode: z.number().int(),
  referenceId: z.string(),
});
const compositeResponseSchema = z.object({ compositeResponse: z.array(subresultSchema) });

export const queryResponseSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.unknown()),
});
export type QueryResponse = z.infer<typeof queryResponseSchema>;

export interface CompositeDeps {
  send: SendRequest;
  /** `/services/data/vXX.X` */
  dataPath: string;
  orgId(): string | null;
}

/** One query's first page as the composite call answered it (records still raw). */
export interface FirstPage {
  soql: string;
  body: QueryResponse;
}

const referenceOf = (index: number) => `q${index}`;

/**
 * Sends the queries in one composite call and returns each one's first page, in order. A query
 * Salesforce refused fails the whole read, with its own error code: a re-check that cannot read
 * a user must not write as if it had.
 */
export async function firstPagesTogether(
  deps: CompositeDeps,
  queries: readonly CompositeQuery<unknown>[],
): Promise<FirstPage[]> {
  if (queries.length === 0) return [];
  if (queries.length > MAX_COMPOSITE_QUERIES)
    throw new RangeError(`at most ${MAX_COMPOSITE_QUERIES} queries go in one composite call`);
  const path = `${deps.dataPath}/composite`;
  const answer = await deps.send({
    method: 'POST',
    path,
    data: {
      allOrNone: false,
      compositeRequest: queries.map((q, i) => ({
        method: 'GET',
        url: `${deps.dataPath}/query?${new URLSearchParams({ q: q.soql }).toString()}`,
        referenceId: referenceOf(i),
      })),
    },
    // Every subrequest reads: sending it again changes nothing.
    idempotent: true,
    read: (response) => parseBody(compositeResponseSchema, response.data, 'composite response'),
  });
  const byReference = new Map(answer.compositeResponse.map((r) => [r.referenceId, r]));
  return queries.map((q, i) => {
    const result = byReference.get(referenceOf(i));
    const site = { orgId: deps.orgId(), method: 'GET', path: `${deps.dataPath}/query` };
    if (!result) {
      throw new SalesforceError(`Salesforce composite response lacks the answer to query ${i + 1}`, {
        ...site,
        kind: 'permanent',
        errorCode: 'BAD_RESPONSE',
        status: null,
      });
    }
    if (result.httpStatusCode >= 300) throw errorFromBody(result.httpStatusCode, result.body, site);
    const body = parseBody(queryResponseSchema, result.body, 'query response in a composite response');
    return { soql: q.soql, body };
  });
}
