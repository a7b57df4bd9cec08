/**
 * {@link SalesforceOrgClient} over axios. Every call runs: tokens → shared pause → breaker →
 * concurrency slot → budget reservation → HTTP (with a timeout) → usage from Sforce-Limit-Info.
 * A 401 INVALID_SESSION_ID refreshes (single-flight in the process, one at a time per alias across
 * processes: tokenRenewal.ts) and resends, at most twice; idempotent reads
 * are retried a few times on retryable errors; writes never are.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import { bulkQuery, type BulkExtract, type BulkQueryDeps } from './bulkQuery.js';
import { RestQueries } from './restQueries.js';
import type { CollectionCall } from './collectionWrites.js';
import { createRecords, deleteRecords, updateRecords } from './collectionWrites.js';
import type { AliasSession } from './aliasSession.js';
import { checkedInstanceUrl } from './instanceUrl.js';
import { jitter, sendOrgCall } from './orgCall.js';
import type { OrgRuntime } from './orgRuntime.js';
import type { RefreshLock } from './refreshLock.js';
import { renewTokens } from './tokenRenewal.js';
import type {
  ApiUsage,
  ClientStats,
  CompositeQuery,
  OrgCredentials,
  OrgLimit,
  OrgTokens,
  QueryOptions,
  QueryPage,
  RecordFields,
  RecordOutcome,
  RecordUpdate,
  SalesforceInstrumentation,
  SalesforceOrgClient,
  SObjectDescribe,
  TokenStore,
} from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';
import { parseBody, sleep, type RequestSpec } from './salesforceRequest.js';

const READ_RETRIES = 2;

/** What the client needs from its factory: shared per-org and per-alias state, created on first use. */
export interface ClientContext {
  config: Config['salesforce'];
  log: Logger;
  instrumentation: SalesforceInstrumentation | undefined;
  /** Breaker, pause and caps: shared by every alias of the org. */
  runtimeFor(orgId: string): OrgRuntime;
  /** Tokens and single-flight refresh in this process: the alias's own. */
  sessionFor(aliasId: string): AliasSession;
  /** One token refresh at a time per alias, across processes. */
  refreshLock: RefreshLock;
}

/** A 401 after this many refreshes means the grant itself is refused (re-authorize). */
const MAX_REFRESHES_PER_CALL = 2;

const limitsSchema = z.record(z.string(), z.object({ Max: z.number(), Remaining: z.number() }).loose());

const describeSchema = z.object({
  name: z.string(),
  queryable: z.boolean(),
  updateable: z.boolean(),
  deletable: z.boolean(),
  fields: z.array(z.object({ name: z.string(), updateable: z.boolean() })),
});

export class HttpOrgClient implements SalesforceOrgClient {
  private readonly counters: ClientStats = { calls: 0, pages: 0, records: 0, retries: 0, refreshes: 0 };
  private tokens: OrgTokens | null;
  private readonly session: AliasSession;
  private readonly dataPath: string;
  private readonly rest: RestQueries;

  constructor(
    private readonly credentials: OrgCredentials,
    private readonly tokenStore: TokenStore,
    private readonly ctx: ClientContext,
  ) {
    checkedInstanceUrl(credentials.instanceUrl, ctx.config.endpoints);
    this.session = ctx.sessionFor(credentials.aliasId);
    this.tokens = credentials.tokens ? this.session.adopt(credentials.tokens) : null;
    this.dataPath = `/services/data/v${ctx.config.apiVersion}`;
    this.rest = new RestQueries({
      send: (spec) => this.request(spec),
      dataPath: this.dataPath,
      orgId: () => this.orgId,
      countPage: (records) => this.countPage(records, false),
    });
  }

  get orgId(): string | null {
    return this.tokens?.orgId ?? null;
  }

  get connectedUserId(): string | null {
    return this.tokens?.userId ?? null;
  }

  stats(): ClientStats {
    return { ...this.counters };
  }

  async connect(): Promise<OrgTokens> {
    await this.limits();
    return this.currentTokens();
  }

  query<T>(soql: string, schema: z.ZodType<T>, options: QueryOptions = {}): AsyncIterable<QueryPage<T>> {
    return this.rest.query(soql, schema, options);
  }

  queryTogether<T extends readonly unknown[]>(queries: {
    readonly [K in keyof T]: CompositeQuery<T[K]>;
  }): Promise<{ -readonly [K in keyof T]: T[K][] }> {
    return this.rest.queryTogether<T>(queries);
  }

  bulkQuery<T>(soql: string, schema: z.ZodType<T>, options: QueryOptions = {}): BulkExtract<T> {
    const { config, log } = this.ctx;
    return bulkQuery(
      {
        send: (spec) => this.request(spec),
        dataPath: this.dataPath,
        orgId: () => this.orgId,
        poll: { firstMs: config.bulkPollFirstMs, maxMs: config.bulkPollMaxMs },
        pace: this.bulkPace(),
        log,
        countPage: (records) => this.countPage(records, true),
      },
      soql,
      schema,
      options,
    );
  }

  countWithQueries<T extends readonly unknown[]>(
    countSoql: string,
    queries: { readonly [K in keyof T]: CompositeQuery<T[K]> },
  ): Promise<{ count: number; records: { -readonly [K in keyof T]: T[K][] } }> {
    return this.rest.countWithQueries<T>(countSoql, queries);
  }

  count(soql: string): Promise<number> {
    return this.rest.count(soql);
  }

  async limits(): Promise<Record<string, OrgLimit>> {
    const body = await this.request({
      method: 'GET',
      path: `${this.dataPath}/limits`,
      idempotent: true,
      read: (response) => parseBody(limitsSchema, response.data, 'limits'),
    });
    return Object.fromEntries(
      Object.entries(body).map(([name, limit]) => [name, { max: limit.Max, remaining: limit.Remaining }]),
    );
  }

  describe(sobject: string): Promise<SObjectDescribe> {
    return this.request({
      method: 'GET',
      path: `${this.dataPath}/sobjects/${encodeURIComponent(sobject)}/describe`,
      idempotent: true,
      read: (response) => parseBody(describeSchema, response.data, 'describe'),
    });
  }

  update(sobject: string, records: readonly RecordUpdate[]): Promise<RecordOutcome[]> {
    return updateRecords((call) => this.sendCollection(call), sobject, records);
  }

  create(sobject: string, records: readonly RecordFields[]): Promise<RecordOutcome[]> {
    return createRecords((call) => this.sendCollection(call), sobject, records);
  }

  delete(ids: readonly string[]): Promise<RecordOutcome[]> {
    return deleteRecords((call) => this.sendCollection(call), ids);
  }

  /** Writes are never retried here: a lost answer may hide a write that happened. */
  private sendCollection(call: CollectionCall): Promise<unknown> {
    return this.request({
      ...call,
      path: `${this.dataPath}/composite/sobjects`,
      idempotent: false,
      read: (response): unknown => response.data,
    });
  }

  async apiUsage(): Promise<ApiUsage | null> {
    const tokens = await this.currentTokens();
    return this.ctx.runtimeFor(tokens.orgId).state.usage();
  }

  /** The org's Bulk job pace in Redis; by the time a job is waited for, its tokens name the org. */
  private bulkPace(): BulkQueryDeps['pace'] {
    const state = async () => this.ctx.runtimeFor((await this.currentTokens()).orgId).state;
    return {
      known: async () => (await state()).bulkPace(),
      learn: async (observed) => (await state()).rememberBulkPace(observed),
    };
  }

  private countPage(records: number, bulk: boolean): void {
    this.counters.pages += 1;
    this.counters.records += records;
    if (this.orgId) this.ctx.instrumentation?.page?.({ orgId: this.orgId, records, bulk });
  }

  /** Retries idempotent reads on retryable errors; everything else surfaces at once. */
  private async request<R>(spec: RequestSpec<R>): Promise<R> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.withSession(spec);
      } catch (error) {
        const retry = spec.idempotent && error instanceof SalesforceError && error.kind === 'retryable';
        if (!retry || attempt >= READ_RETRIES) throw error;
        this.counters.retries += 1;
        this.ctx.instrumentation?.retry?.({
          orgId: this.orgId ?? this.credentials.instanceUrl,
          reason: error.errorCode,
        });
        await sleep(jitter(200 * 2 ** attempt));
      }
    }
  }

  /**
   * A 401 INVALID_SESSION_ID gets a refresh and a resend. The tokens a refresh hands back may be
   * another process's from a while ago (already expired too), so a second round is allowed.
   */
  private async withSession<R>(spec: RequestSpec<R>): Promise<R> {
    let tokens = await this.currentTokens();
    for (let refreshes = 0; ; refreshes += 1) {
      try {
        return await this.guarded(spec, tokens);
      } catch (error) {
        if (!(error instanceof SalesforceError && error.kind === 'auth' && error.status === 401)) throw error;
        if (refreshes >= MAX_REFRESHES_PER_CALL) {
          throw new SalesforceError(
            `Salesforce still rejects the session after a token refresh: re-authorize this alias`,
            { kind: 'auth', errorCode: error.errorCode, status: 401, orgId: tokens.orgId, path: spec.path },
            { cause: error },
          );
        }
        const stale = tokens;
        tokens = await this.session.refreshAfter(stale, () => this.renewTokens(stale));
        this.tokens = tokens;
      }
    }
  }

  private async guarded<R>(spec: RequestSpec<R>, tokens: OrgTokens): Promise<R> {
    const runtime = this.ctx.runtimeFor(tokens.orgId);
    await runtime.checkPause();
    try {
      return (await runtime.breaker.fire(() =>
        sendOrgCall({ ...this.ctx, countCall: () => (this.counters.calls += 1) }, runtime, tokens, spec),
      )) as R;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'EOPENBREAKER') throw runtime.openError();
      if (error instanceof SalesforceError && error.kind === 'limit') runtime.tripForLimit();
      throw error;
    }
  }

  private async currentTokens(): Promise<OrgTokens> {
    if (this.tokens) {
      this.tokens = this.session.adopt(this.tokens);
      return this.tokens;
    }
    if (this.credentials.grantType !== 'client_credentials') {
      throw new SalesforceError('This alias has no Salesforce tokens: authorize it first', {
        kind: 'auth',
        errorCode: 'NOT_AUTHORIZED',
        status: null,
        orgId: null,
      });
    }
    this.tokens = await this.session.grantOnce(() => this.renewTokens(null));
    return this.tokens;
  }

  private async renewTokens(stale: OrgTokens | null): Promise<OrgTokens> {
    const orgId = stale?.orgId ?? this.credentials.orgId ?? this.credentials.instanceUrl;
    try {
      const renewal = await renewTokens(this.ctx, this.credentials, this.tokenStore, stale);
      // The first grant of a Client Credentials alias is not a refresh, nor is adopting another's.
      if (stale && renewal.minted) this.counters.refreshes += 1;
      if (renewal.minted) this.ctx.instrumentation?.refresh?.({ orgId: renewal.tokens.orgId, outcome: 'ok' });
      return renewal.tokens;
    } catch (error) {
      this.ctx.instrumentation?.refresh?.({ orgId, outcome: 'failed' });
      throw error;
    }
  }
}
