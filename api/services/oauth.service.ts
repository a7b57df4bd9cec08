/**
 * OAuth for aliases. The Authorization Code `state` is `<nonce>.<aliasId>.<expiresAtSec>.<hmac>`:
 * the HMAC (key derived from the active encryption key) proves we issued it for that alias, the
 * expiry bounds it, and the nonce lives in Redis until first use, so it works once.
 *
 * Beside the nonce, Redis holds the flow's PKCE verifier (it never reaches the browser: only its
 * S256 challenge goes into the authorize URL) and the hash of a browser-binding secret. That
 * secret is set as a short-lived HttpOnly, SameSite=Lax cookie on the start answer; the callback
 * must carry it, so a code and state replayed from another browser are refused.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ApiProblem } from '../http/problem.js';
import { conflict } from '../http/schemas.js';
import { sealTokens } from '../../shared/db/aliasCredentials.js';
import type { Logger } from '../../shared/logger.js';
import type { EndpointPolicy } from '../../shared/salesforce/instanceUrl.js';
import * as oauth from '../../shared/salesforce/oauth.js';
import type { OrgTokens } from '../../shared/salesforce/salesforceClient.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { ApiServices, OAuthGrants } from './apiServices.js';
import { loadAlias, toAliasView, type AliasDoc, type AliasView } from './aliases.service.js';
import { acceptGrantedOrg, checkConsent, type OrgChangeConsent } from './aliasOrgBinding.js';

export const oauthStartSchema = z
  .object({ authorizeUrl: z.string(), expiresAt: z.string() })
  .meta({ id: 'OAuthStart' });

/** shared/salesforce/oauth.ts with the endpoint policy from config. */
export function salesforceOAuth(endpoints: EndpointPolicy): OAuthGrants {
  return {
    authorizeUrl: (input) => oauth.authorizeUrl({ ...input, endpoints }),
    exchangeAuthorizationCode: (input) => oauth.exchangeAuthorizationCode({ ...input, endpoints }),
    clientCredentialsGrant: (input) => oauth.clientCredentialsGrant({ ...input, endpoints }),
    revokeToken: (input) => oauth.revokeToken({ ...input, endpoints }),
  };
}

/**
 * Salesforce refusing the grant is the alias's configuration (422); Salesforce unreachable or
 * limiting us is temporary (503). The message is ours (oauth.ts keeps tokens and Salesforce's
 * own text out of it); what Salesforce said is logged here, where the error is handled.
 */
export function grantProblem(error: unknown, log?: Logger): unknown {
  if (!(error instanceof SalesforceError)) return error;
  log?.warn(
    { salesforceError: error.errorCode, status: error.status, remoteMessage: error.remoteMessage },
    'salesforce refused or failed an oauth request',
  );
  if (error.kind === 'auth' || error.kind === 'permanent') {
    return new ApiProblem(422, 'OAUTH_REFUSED', `Salesforce refused the grant: ${error.message}`, {
      salesforceError: error.errorCode,
    });
  }
  return new ApiProblem(503, 'SALESFORCE_UNAVAILABLE', `Salesforce could not be reached: ${error.message}`, {
    salesforceError: error.errorCode,
  });
}

async function granted(s: ApiServices, promise: Promise<OrgTokens>): Promise<OrgTokens> {
  try {
    return await promise;
  } catch (error) {
    throw grantProblem(error, s.log);
  }
}

function stateKey(s: ApiServices): Buffer {
  const active = s.config.crypto.keys.find((k) => k.id === s.config.crypto.activeKeyId);
  if (!active) throw new ApiProblem(500, 'CRYPTO_KEY_MISSING', 'the active encryption key is not configured');
  return Buffer.from(hkdfSync('sha256', active.key, Buffer.alloc(0), 'seatwise oauth state v1', 32));
}

function sign(s: ApiServices, payload: string): string {
  return createHmac('sha256', stateKey(s)).update(payload).digest('base64url');
}

function redisKey(s: ApiServices, nonce: string): string {
  return `${s.config.redis.prefix}:oauth-state:${nonce}`;
}

/** Where the cookie is sent back: the callback only, never the api routes. */
const CALLBACK_PATH = '/oauth/callback';

/** One cookie per flow in progress, so two aliases authorized side by side do not collide. */
export function browserCookieName(nonce: string): string {
  return `seatwise_oauth_${nonce}`;
}

function browserHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

function cookieHeader(s: ApiServices, name: string, value: string, maxAgeSeconds: number): string {
  const secure = s.config.api.publicUrl.startsWith('https:') ? '; Secure' : '';
  // Lax, not Strict: the browser comes back from Salesforce's domain, a cross-site top-level GET.
  return `${name}=${value}; Max-Age=${maxAgeSeconds}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax${secure}`;
}

/** The browser-binding cookie of the flow `nonce` from a Cookie header, if sent. */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

const storedStateSchema = z.object({
  aliasId: z.string(),
  redirectUri: z.string(),
  codeVerifier: z.string(),
  browser: z.string(),
  confirmedBy: z
    .object({ name: z.string(), role: z.enum(['admin', 'integrator', 'operator', 'viewer']) })
    .nullable()
    .default(null),
});

export function redirectUriFor(s: ApiServices, alias: AliasDoc): string {
  return alias.redirectUrl ?? `${s.config.api.publicUrl}/oauth/callback`;
}

function requireSecret(s: ApiServices, alias: AliasDoc): string {
  if (!alias.clientSecret) {
    throw new ApiProblem(422, 'PREREQUISITE_MISSING', 'the alias has no client secret', {
      errors: [{ field: 'alias.clientSecret', message: 'is not set' }],
    });
  }
  return s.box.open(alias.clientSecret, { aliasId: String(alias._id), field: 'clientSecret' });
}

export async function startAuthorization(s: ApiServices, aliasId: string, consent: OrgChangeConsent) {
  checkConsent(consent);
  const alias = await loadAlias(s, aliasId);
  if (alias.grantType !== 'authorization_code') {
    throw conflict('WRONG_GRANT_TYPE', 'this alias uses client_credentials: use POST …/oauth/token');
  }
  requireSecret(s, alias);
  const ttl = s.config.api.oauthStateTtlSeconds;
  const nonce = randomBytes(18).toString('base64url');
  const expiresAt = Math.floor(Date.now() / 1000) + ttl;
  const payload = `${nonce}.${aliasId}.${expiresAt}`;
  const state = `${payload}.${sign(s, payload)}`;
  const redirectUri = redirectUriFor(s, alias);
  const pkce = oauth.pkcePair();
  const browser = randomBytes(24).toString('base64url');
  // The admin's confirmation of an org change travels with the state: the callback has no api token.
  const confirmedBy = consent.confirmed ? { name: consent.actor.name, role: consent.actor.role } : null;
  const stored: z.infer<typeof storedStateSchema> = {
    aliasId,
    redirectUri,
    codeVerifier: pkce.verifier,
    browser: browserHash(browser),
    confirmedBy,
  };
  await s.redis.set(redisKey(s, nonce), JSON.stringify(stored), 'EX', ttl);
  let authorizeUrl: string;
  try {
    authorizeUrl = s.oauth.authorizeUrl({
      instanceUrl: alias.instanceUrl,
      clientId: alias.clientId,
      redirectUri,
      state,
      codeChallenge: pkce.challenge,
    });
  } catch (error) {
    await s.redis.del(redisKey(s, nonce));
    throw grantProblem(error, s.log);
  }
  return {
    body: { authorizeUrl, expiresAt: new Date(expiresAt * 1000).toISOString() },
    setCookie: cookieHeader(s, browserCookieName(nonce), browser, ttl),
  };
}

export class StateRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface ConsumedState {
  aliasId: string;
  redirectUri: string;
  codeVerifier: string;
  confirmedBy: { name: string; role: 'admin' | 'integrator' | 'operator' | 'viewer' } | null;
  /** Set-Cookie that clears the flow's browser-binding cookie. */
  clearCookie: string;
}

/**
 * Verifies signature and expiry, consumes the nonce (GETDEL: exactly one caller wins), then checks
 * the browser-binding cookie: a state arriving from another browser is spent and refused.
 */
export async function consumeState(
  s: ApiServices,
  state: string,
  cookies: string | undefined,
): Promise<ConsumedState> {
  const parts = state.split('.');
  if (parts.length !== 4) throw new StateRefused('the state is malformed');
  const [nonce, aliasId, exp, sig] = parts as [string, string, string, string];
  const expected = Buffer.from(sign(s, `${nonce}.${aliasId}.${exp}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new StateRefused('the state was not issued by this server');
  }
  if (!/^\d+$/.test(exp) || Number(exp) * 1000 < Date.now()) throw new StateRefused('the state has expired');
  const stored = await s.redis.getdel(redisKey(s, nonce));
  if (!stored) throw new StateRefused('the state was already used or has expired');
  const parsed = storedStateSchema.safeParse(JSON.parse(stored));
  // A state from before PKCE and browser binding cannot be completed safely: start again.
  if (!parsed.success) throw new StateRefused('the state was already used or has expired');
  if (parsed.data.aliasId !== aliasId) throw new StateRefused('the state belongs to another alias');
  const name = browserCookieName(nonce);
  const secret = cookieValue(cookies, name);
  if (!sameText(parsed.data.browser, secret === null ? '' : browserHash(secret))) {
    throw new StateRefused('the authorization was started in another browser: start it again from this one');
  }
  return {
    aliasId,
    redirectUri: parsed.data.redirectUri,
    codeVerifier: parsed.data.codeVerifier,
    confirmedBy: parsed.data.confirmedBy,
    clearCookie: cookieHeader(s, name, '', 0),
  };
}

/**
 * Tokens sealed at rest, once their org is accepted for the alias (aliasOrgBinding.ts); refused
 * tokens are revoked, not kept. A new authorization moves `configChangedAt`: validation must rerun.
 */
async function storeTokens(
  s: ApiServices,
  alias: AliasDoc,
  tokens: OrgTokens,
  consent: OrgChangeConsent,
): Promise<AliasView> {
  const aliasId = String(alias._id);
  try {
    await acceptGrantedOrg(s, alias, tokens, consent);
  } catch (error) {
    await revokeQuietly(s, tokens);
    throw error;
  }
  const updated = await s.models.ConnectionAlias.findOneAndUpdate(
    { _id: aliasId },
    {
      $set: {
        orgId: tokens.orgId,
        tokens: sealTokens(s.box, aliasId, tokens),
        authStatus: 'authorized',
        authError: null,
        configChangedAt: new Date(),
      },
    },
    { returnDocument: 'after' },
  ).lean<AliasDoc>();
  if (!updated) throw new ApiProblem(404, 'NOT_FOUND', `alias ${aliasId} does not exist`);
  return toAliasView(updated);
}

/** Best effort: the grant was refused by us, so Salesforce should not keep it alive either. */
async function revokeQuietly(s: ApiServices, tokens: OrgTokens): Promise<void> {
  try {
    await s.oauth.revokeToken({
      instanceUrl: tokens.instanceUrl,
      token: tokens.refreshToken ?? tokens.accessToken,
      timeoutMs: s.config.salesforce.timeoutMs,
    });
  } catch (error) {
    s.log.warn({ errCode: (error as { code?: unknown }).code }, 'could not revoke a refused grant');
  }
}

export async function completeAuthorization(
  s: ApiServices,
  consumed: ConsumedState,
  code: string,
): Promise<AliasView> {
  const { aliasId, redirectUri, codeVerifier, confirmedBy } = consumed;
  const alias = await loadAlias(s, aliasId);
  const consent: OrgChangeConsent = confirmedBy
    ? { confirmed: true, actor: confirmedBy }
    : { confirmed: false, actor: { name: 'oauth-callback', role: 'viewer' } };
  const tokens = await granted(
    s,
    s.oauth.exchangeAuthorizationCode({
      instanceUrl: alias.instanceUrl,
      clientId: alias.clientId,
      clientSecret: requireSecret(s, alias),
      redirectUri,
      code,
      codeVerifier,
      timeoutMs: s.config.salesforce.timeoutMs,
    }),
  );
  return storeTokens(s, alias, tokens, consent);
}

export async function clientCredentials(
  s: ApiServices,
  aliasId: string,
  consent: OrgChangeConsent,
): Promise<AliasView> {
  checkConsent(consent);
  const alias = await loadAlias(s, aliasId);
  if (alias.grantType !== 'client_credentials') {
    throw conflict('WRONG_GRANT_TYPE', 'this alias uses authorization_code: use POST …/oauth/start');
  }
  const tokens = await granted(
    s,
    s.oauth.clientCredentialsGrant({
      instanceUrl: alias.instanceUrl,
      clientId: alias.clientId,
      clientSecret: requireSecret(s, alias),
      timeoutMs: s.config.salesforce.timeoutMs,
    }),
  );
  return storeTokens(s, alias, tokens, consent);
}
