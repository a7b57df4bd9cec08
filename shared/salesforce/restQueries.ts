/**
 * SOQL through the REST API for one org client: a query page by page (`nextRecordsUrl`), several
 * queries in one composite call (`compositeQueries.ts`), and counts. Every request goes through
 * the client's own `send` (breaker, budget, concurrency cap, retries of reads).
 */
import { z } from 'zod';
import {
  firstPagesTogether,
  queryResponseSchema,
  type FirstPage,
  type QueryResponse,
} from './compositeQueries.js';
import { parseRecords, withoutAttributes } from './recordParsing.js';
import type { CompositeQuery, QueryOptions, QueryPage } from './salesforceClient.js';
import { parseBody, type SendRequest } from './salesforceRequest.js';

export interface RestQueryDeps {
  send: SendRequest;
  /** `/services/data/vXX.X` */
  dataPath: string;
  orgId(): string | null;
  countPage(records: number): void;
}

type Start = { path: string; params?: Record<string, string> };

/** `SELECT COUNT()` answers with `totalSize` and no records. */
const countSchema = z.never();

export class RestQueries {
  constructor(private readonly deps: RestQueryDeps) {}

  query<T>(soql: string, schema: z.ZodType<T>, options: QueryOptions = {}): AsyncIterable<QueryPage<T>> {
    const headers: Record<string, string> = options.batchSize
      ? { 'Sforce-Query-Options': `batchSize=${options.batchSize}` }
      : {};
    const path = `${this.deps.dataPath}/${options.all ? 'queryAll' : 'query'}`;
    return this.pages({ path, params: { q: soql } }, null, schema, headers);
  }

  async queryTogether<T extends readonly unknown[]>(queries: {
    readonly [K in keyof T]: CompositeQuery<T[K]>;
  }): Promise<{ -readonly [K in keyof T]: T[K][] }> {
    const list = queries as readonly CompositeQuery<unknown>[];
    const firsts = await firstPagesTogether(this.deps, list);
    return (await this.restOf(firsts, list)) as { -readonly [K in keyof T]: T[K][] };
  }

  async countWithQueries<T extends readonly unknown[]>(
    countSoql: string,
    queries: { readonly [K in keyof T]: CompositeQuery<T[K]> },
  ): Promise<{ count: number; records: { -readonly [K in keyof T]: T[K][] } }> {
    const list = queries as readonly CompositeQuery<unknown>[];
    const [counted, ...firsts] = await firstPagesTogether(this.deps, [
      { soql: countSoql, schema: countSchema },
      ...list,
    ]);
    const records = (await this.restOf(firsts, list)) as { -readonly [K in keyof T]: T[K][] };
    return { count: (counted as FirstPage).body.totalSize, records };
  }

  /** Every record of each query, from its first page (answered in a composite call) on. */
  private async restOf(firsts: readonly FirstPage[], list: readonly CompositeQuery<unknown>[]) {
    const all: unknown[][] = [];
    for (const [i, first] of firsts.entries()) {
      const schema = (list[i] as CompositeQuery<unknown>).schema;
      const records: unknown[] = [];
      for await (const page of this.pages(null, first.body, schema, {})) records.push(...page.records);
      all.push(records);
    }
    return all;
  }

  async count(soql: string): Promise<number> {
    const body = await this.deps.send({
      method: 'GET',
      path: `${this.deps.dataPath}/query`,
      params: { q: soql },
      idempotent: true,
      read: (response) => parseBody(queryResponseSchema, response.data, 'query response'),
    });
    return body.totalSize;
  }

  /** A query's pages from its first request, or from a first page already in hand. */
  private async *pages<T>(
    start: Start | null,
    firstPage: QueryResponse | null,
    schema: z.ZodType<T>,
    headers: Record<string, string>,
  ): AsyncIterable<QueryPage<T>> {
    let next = start;
    let body = firstPage;
    for (let page = 1; body || next; page += 1) {
      const current = body ?? (await this.fetchPage(next as Start, headers));
      const records = parseRecords(current.records.map(withoutAttributes), schema, {
        orgId: this.deps.orgId(),
        page,
        bulk: false,
      });
      this.deps.countPage(records.length);
      next =
        !current.done && current.nextRecordsUrl
          ? { path: new URL(current.nextRecordsUrl, 'http://x').pathname }
          : null;
      body = null;
      yield { records, totalSize: current.totalSize, page };
    }
  }

  private fetchPage(next: Start, headers: Record<string, string>): Promise<QueryResponse> {
    return this.deps.send({
      method: 'GET',
      ...next,
      headers,
      idempotent: true,
      read: (response) => parseBody(queryResponseSchema, response.data, 'query response'),
    });
  }
}
