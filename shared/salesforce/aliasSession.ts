/**
 * Per alias, per process: the alias's latest tokens and its single-flight refresh or grant. Tokens
 * belong to the alias that was granted them (its client id, its secret, its consent), never to
 * the org: two aliases of one org each call Salesforce with their own tokens and refresh their
 * own grant. What protects the org itself (breaker, API-limit pause, concurrency) stays per org
 * in {@link OrgRuntime}.
 */
import type { OrgTokens } from './salesforceClient.js';

export class AliasSession {
  tokens: OrgTokens | null = null;
  private renewing: Promise<OrgTokens> | null = null;

  constructor(readonly aliasId: string) {}

  /**
   * One refresh for all requests that saw the same stale token: later arrivals either join the
   * refresh in flight or find the new token already there.
   */
  refreshAfter(stale: OrgTokens, refresh: () => Promise<OrgTokens>): Promise<OrgTokens> {
    if (this.tokens && this.tokens.accessToken !== stale.accessToken) return Promise.resolve(this.tokens);
    return this.once(refresh);
  }

  /** A first grant (Client Credentials, no tokens yet): one at a time for the alias. */
  grantOnce(grant: () => Promise<OrgTokens>): Promise<OrgTokens> {
    if (this.tokens) return Promise.resolve(this.tokens);
    return this.once(grant);
  }

  /** Adopts tokens handed in by a caller unless this process already holds newer ones of the alias. */
  adopt(tokens: OrgTokens): OrgTokens {
    if (!this.tokens || this.tokens.issuedAt.getTime() < tokens.issuedAt.getTime()) this.tokens = tokens;
    return this.tokens;
  }

  private once(renew: () => Promise<OrgTokens>): Promise<OrgTokens> {
    if (!this.renewing) {
      this.renewing = renew()
        .then((fresh) => {
          this.tokens = fresh;
          return fresh;
        })
        .finally(() => {
          this.renewing = null;
        });
    }
    return this.renewing;
  }
}
