/**
 * Authorization codes, access tokens and refresh tokens for every org of the server. Codes are
 * single use and live ten minutes; access tokens expire after the TTL in force when they are
 * checked (so shortening the TTL expires existing tokens too); Salesforce keeps five refresh
 * tokens per user and app and silently revokes the oldest.
 *
 * Every token descends from one grant (one authorization code or client credentials call). With
 * rotation, a refresh retires the refresh token presented and issues its successor in the same
 * grant; presenting a retired one again is taken as theft and revokes the whole grant.
 */
import { randomBytes } from 'node:crypto';

const AUTH_CODE_TTL_MS = 10 * 60_000;
const REFRESH_TOKENS_PER_USER_AND_APP = 5;

export interface AuthCodeGrant {
  orgId: string;
  userIndex: number;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
}

interface StoredCode extends AuthCodeGrant {
  expiresAt: number;
  used: boolean;
}

export interface TokenOwner {
  orgId: string;
  userIndex: number;
}

interface StoredAccessToken extends TokenOwner {
  issuedAt: number;
  refreshToken?: string;
  grantId?: string;
}

interface StoredRefreshToken extends TokenOwner {
  clientId: string;
  scope: string;
  issuedAt: number;
  grantId: string;
}

export type RefreshLookup =
  | { state: 'live'; token: TokenOwner & { clientId: string; scope: string; grantId: string } }
  | { state: 'retired'; grantId: string }
  | { state: 'unknown' };

export type CodeLookup =
  { ok: true; grant: AuthCodeGrant } | { ok: false; reason: 'unknown' | 'expired' | 'used' };

const opaque = (bytes: number): string => randomBytes(bytes).toString('base64url');

export class OAuthTokenStore {
  private readonly codes = new Map<string, StoredCode>();
  private readonly accessTokens = new Map<string, StoredAccessToken>();
  private readonly refreshTokens = new Map<string, StoredRefreshToken>();
  /** Refresh tokens rotated out, with the grant they belonged to (for reuse detection). */
  private readonly retired = new Map<string, string>();
  /** Refresh tokens whose refresh is being processed right now. */
  private readonly refreshing = new Set<string>();

  constructor(
    private readonly now: () => number,
    public ttlSeconds: number,
  ) {}

  issueCode(grant: AuthCodeGrant): string {
    const code = `aPrx${opaque(48)}`;
    this.codes.set(code, { ...grant, expiresAt: this.now() + AUTH_CODE_TTL_MS, used: false });
    return code;
  }

  redeemCode(code: string): CodeLookup {
    const stored = this.codes.get(code);
    if (!stored) return { ok: false, reason: 'unknown' };
    if (stored.used) return { ok: false, reason: 'used' };
    stored.used = true;
    if (stored.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    const { expiresAt: _expiresAt, used: _used, ...grant } = stored;
    return { ok: true, grant };
  }

  issueAccessToken(
    owner: TokenOwner,
    refreshToken?: string,
    grantId?: string,
  ): { token: string; issuedAt: number } {
    const issuedAt = this.now();
    const token = `${owner.orgId}!${opaque(72)}`;
    const stored: StoredAccessToken = { ...owner, issuedAt };
    if (refreshToken) stored.refreshToken = refreshToken;
    if (grantId) stored.grantId = grantId;
    this.accessTokens.set(token, stored);
    return { token, issuedAt };
  }

  /** A refresh token of a new grant, or (rotation) the successor within `grantId`. */
  issueRefreshToken(owner: TokenOwner, clientId: string, scope: string, grantId = opaque(12)): string {
    const token = `5Aep861${opaque(60)}`;
    this.refreshTokens.set(token, { ...owner, clientId, scope, issuedAt: this.now(), grantId });
    this.dropOldestRefreshTokens(owner, clientId);
    return token;
  }

  /** Rotation: the presented token stops working; its successor carries on the same grant. */
  rotate(token: string): string | undefined {
    const stored = this.refreshTokens.get(token);
    if (!stored) return undefined;
    this.refreshTokens.delete(token);
    this.retired.set(token, stored.grantId);
    return this.issueRefreshToken(stored, stored.clientId, stored.scope, stored.grantId);
  }

  /** Reuse of a rotated-out token: every refresh and access token of the grant is revoked. */
  revokeGrant(grantId: string): void {
    for (const [token, stored] of this.refreshTokens) {
      if (stored.grantId === grantId) this.refreshTokens.delete(token);
    }
    for (const [token, stored] of this.accessTokens) {
      if (stored.grantId === grantId) this.accessTokens.delete(token);
    }
  }

  lookupRefreshToken(token: string): RefreshLookup {
    const live = this.refreshTokens.get(token);
    if (live) return { state: 'live', token: live };
    const grantId = this.retired.get(token);
    return grantId ? { state: 'retired', grantId } : { state: 'unknown' };
  }

  /** Marks a refresh of `token` as in flight; returns false when one already is. */
  beginRefresh(token: string): boolean {
    if (this.refreshing.has(token)) return false;
    this.refreshing.add(token);
    return true;
  }

  endRefresh(token: string): void {
    this.refreshing.delete(token);
  }

  private dropOldestRefreshTokens(owner: TokenOwner, clientId: string): void {
    const mine = [...this.refreshTokens.entries()].filter(
      ([, t]) => t.orgId === owner.orgId && t.userIndex === owner.userIndex && t.clientId === clientId,
    );
    for (const [token] of mine.slice(0, Math.max(0, mine.length - REFRESH_TOKENS_PER_USER_AND_APP))) {
      this.revoke(token);
    }
  }

  verifyAccessToken(token: string): TokenOwner | undefined {
    const stored = this.accessTokens.get(token);
    if (!stored) return undefined;
    if (stored.issuedAt + this.ttlSeconds * 1000 <= this.now()) {
      this.accessTokens.delete(token);
      return undefined;
    }
    return { orgId: stored.orgId, userIndex: stored.userIndex };
  }

  /** Revoking a refresh token also ends the sessions it minted, as Salesforce does. */
  revoke(token: string): boolean {
    if (this.accessTokens.delete(token)) return true;
    if (!this.refreshTokens.delete(token)) return false;
    for (const [access, stored] of this.accessTokens) {
      if (stored.refreshToken === token) this.accessTokens.delete(access);
    }
    return true;
  }

  revokeRefreshTokens(orgId: string): number {
    const tokens = [...this.refreshTokens.entries()]
      .filter(([, t]) => t.orgId === orgId)
      .map(([token]) => token);
    for (const token of tokens) this.refreshTokens.delete(token);
    return tokens.length;
  }

  expireAccessTokens(orgId: string): number {
    let count = 0;
    for (const [token, stored] of this.accessTokens) {
      if (stored.orgId !== orgId) continue;
      this.accessTokens.delete(token);
      count += 1;
    }
    return count;
  }
}
