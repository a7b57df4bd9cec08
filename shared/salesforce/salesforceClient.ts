/**
 * The contract between seatwise and one Salesforce org. Processors and the api depend on these
 * types only; `httpClient.ts` implements them over axios. Everything read from Salesforce is
 * zod-parsed by the caller's schema before it reaches the caller.
 */
import type { BulkExtract } from './bulkQuery.js';
import type { z } from 'zod';

/** Tokens as the client holds them in memory; persisted (encrypted) through {@link TokenStore}. */
export interface OrgTokens {
  accessToken: string;
  /** Absent for Client Credentials (ask again instead of refreshing). */
  refreshToken: string | null;
  instanceUrl: string;
  orgId: string;
  userId: string;
  issuedAt: Date;
}

/** Where an alias's tokens live (the worker persists them encrypted, on the alias). */
export interface TokenStore {
  /** Who the tokens belong to (the alias): one refresh at a time per key, across processes. */
  readonly key: string;
  /** The tokens as stored now: another process may have refreshed since this client loaded them. */
  current(): Promise<OrgTokens | null>;
  /**
   * Stores `tokens` (access and refresh token together, in one write). With `replacing`, only while
   * the stored tokens are still those (a fence: a re-authorization or another refresh may have
   * replaced them); false when they were replaced meanwhile. `null` = unconditional.
   */
  save(tokens: OrgTokens, replacing: OrgTokens | null): Promise<boolean>;
  /** The alias's grant is dead (invalid_grant): mark it "re-authorize". */
  markReauthorizationRequired(reason: string): Promise<void>;
}

export interface OrgCredentials {
  /** Whose credentials these are: tokens, refresh and grants are kept per alias, never shared. */
  aliasId: string;
  /**
   * The org the alias was authorized to (verified through the identity URL), or null before its
   * first grant. A refresh or re-grant that names another org is refused, not stored.
   */
  orgId: string | null;
  /** My Domain / instance URL: https on a Salesforce domain (shared/salesforce/instanceUrl.ts). */
  instanceUrl: string;
  grantType: 'authorization_code' | 'client_credentials';
  clientId: string;
  clientSecret: string;
  tokens: OrgTokens | null;
}

export interface QueryPage<T> {
  records: T[];
  /** Total the query matches (REST: totalSize; Bulk: null until the job completes). */
  totalSize: number | null;
  /** 1-based page number. */
  page: number;
}

export interface QueryOptions {
  /** Include deleted/archived rows (REST `queryAll`). */
  all?: boolean;
  /** `Sforce-Query-Options: batchSize` hint (REST) / rows per page handed on (Bulk). */
  batchSize?: number;
  /**
   * Bulk only: `maxRecords` per results call. Absent, Salesforce sends as many rows per call as
   * it will (the fewest calls); the body is read a page at a time either way.
   */
  resultRowsPerCall?: number;
  /**
   * Bulk only: about how many rows the job will return (a count, or the licenses in use). With
   * the org's pace learned from earlier jobs it times the first status call (`bulkPace.ts`).
   */
  expectedRows?: number;
}

export interface RecordOutcome {
  /** The record's id; for a create, the new id, or '' when the record was not created. */
  id: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
}

/** Field values of one record as sObject Collections take them. */
export type RecordFields = Record<string, string | number | boolean | null>;

export interface RecordUpdate {
  id: string;
  fields: RecordFields;
}

export interface OrgLimit {
  max: number;
  remaining: number;
}

export interface SObjectDescribe {
  name: string;
  queryable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: { name: string; updateable: boolean }[];
}

/** API usage from the latest `Sforce-Limit-Info` seen for the org (by any worker). */
export interface ApiUsage {
  used: number;
  max: number;
  seenAt: Date;
}

/** One query of a {@link SalesforceOrgClient.queryTogether} call. */
export interface CompositeQuery<T> {
  soql: string;
  schema: z.ZodType<T>;
}

/** One org. Every method goes through the org's breaker, budget and concurrency cap. */
export interface SalesforceOrgClient {
  /** The 18-char org id once known (from the tokens), used for per-org state keys. */
  readonly orgId: string | null;
  /** The Salesforce user the tokens act as (once known): seatwise never reclaims it. */
  readonly connectedUserId: string | null;
  /** Obtain tokens when there are none (Client Credentials) or prove the current ones work. */
  connect(): Promise<OrgTokens>;
  /** SOQL through REST, page by page (`nextRecordsUrl`); the caller never holds the whole result. */
  query<T>(soql: string, schema: z.ZodType<T>, options?: QueryOptions): AsyncIterable<QueryPage<T>>;
  /**
   * Same shape through Bulk API 2.0 (create, poll with backoff, CSV pages by `Sforce-Locator`).
   * The job is created when this is called, so several run at Salesforce at once; `abandon()` one
   * that will not be read.
   */
  bulkQuery<T>(soql: string, schema: z.ZodType<T>, options?: QueryOptions): BulkExtract<T>;
  /**
   * Up to 5 SOQL queries in one `/composite` call, which counts once against the API allowance;
   * every record of each, in the order given. A query past one page reads the rest by its
   * `nextRecordsUrl` (a call a page); a query Salesforce refuses fails the whole read.
   */
  queryTogether<T extends readonly unknown[]>(queries: {
    readonly [K in keyof T]: CompositeQuery<T[K]>;
  }): Promise<{ -readonly [K in keyof T]: T[K][] }>;
  /**
   * `SELECT COUNT() FROM …` and up to 4 other queries in one `/composite` call, counted once: the
   * count, and every record of each query as {@link queryTogether} reads them.
   */
  countWithQueries<T extends readonly unknown[]>(
    countSoql: string,
    queries: { readonly [K in keyof T]: CompositeQuery<T[K]> },
  ): Promise<{ count: number; records: { -readonly [K in keyof T]: T[K][] } }>;
  /** `SELECT COUNT() FROM …` */
  count(soql: string): Promise<number>;
  limits(): Promise<Record<string, OrgLimit>>;
  describe(sobject: string): Promise<SObjectDescribe>;
  /** `/composite/sobjects` PATCH in batches of ≤ 200, allOrNone false; outcomes in input order. */
  update(sobject: string, records: readonly RecordUpdate[]): Promise<RecordOutcome[]>;
  /**
   * `/composite/sobjects` POST in batches of ≤ 200, allOrNone false; outcomes in input order, each
   * with the new record's id. Used to put back what reclaim removed (PermissionSetAssignment,
   * PermissionSetLicenseAssign, UserPackageLicense).
   */
  create(sobject: string, records: readonly RecordFields[]): Promise<RecordOutcome[]>;
  /**
   * `/composite/sobjects` DELETE, one object type (key prefix) per call, ≤ 200 ids per call,
   * allOrNone false; outcomes in input order. Salesforce refuses calls that mix types when one
   * of them is a Setup object, which every license assignment is.
   */
  delete(ids: readonly string[]): Promise<RecordOutcome[]>;
  /** Latest usage seen for this org (shared through Redis), or null before the first call. */
  apiUsage(): Promise<ApiUsage | null>;
  /** What this client instance has done so far (for the JobRun counts). */
  stats(): ClientStats;
}

export interface ClientStats {
  calls: number;
  pages: number;
  records: number;
  retries: number;
  refreshes: number;
}

/** Counters the worker exports as metrics. `orgId` may be the alias's instance URL before tokens. */
export interface SalesforceInstrumentation {
  call?(event: { orgId: string; method: string; path: string; status: number; durationMs: number }): void;
  page?(event: { orgId: string; records: number; bulk: boolean }): void;
  retry?(event: { orgId: string; reason: string }): void;
  refresh?(event: { orgId: string; outcome: 'ok' | 'failed' }): void;
  breaker?(event: { orgId: string; state: 'open' | 'halfOpen' | 'closed' }): void;
  usage?(event: { orgId: string; used: number; max: number }): void;
}
