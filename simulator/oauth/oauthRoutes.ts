/**
 * OAuth 2.0 on the generic login host and on each org's My Domain (its own origin), both at
 * `/services/oauth2/…`: authorization code (auto-approved as the org's admin), refresh token,
 * client credentials (My Domain only), revoke, and the identity URL. What the org's app enforces
 * (PKCE, refresh-token rotation with reuse detection, one refresh at a time per refresh token) is
 * its `oauthPolicy`, switchable per org.
 *
 * Redirect URIs: the registered one, or, as RFC 8252 allows for native apps, any loopback
 * `http://127.0.0.1:<port>/oauth/callback` or `http://localhost:<port>/oauth/callback`.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CallRecord } from '../restPipeline.js';
import { bearerToken, pause, sendResult } from '../restPipeline.js';
import type { SimOrg } from '../org/simOrg.js';
import { ADMIN_USER_INDEX } from '../org/simOrg.js';
import type { SimulatorEnv } from '../simulatorEnv.js';
import { instanceUrlOf } from '../simulatorEnv.js';
import { username } from '../sobjects/sobjectTables.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';

export interface OAuthRequest {
  env: SimulatorEnv;
  req: Request;
  res: Response;
  action: string;
  /** Set when the request came to the org's My Domain rather than the login host. */
  instanceOrg?: SimOrg;
  query: URLSearchParams;
  body: string;
  call: CallRecord;
}

const DEFAULT_SCOPE = 'api refresh_token offline_access';

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const invalidClientId = (): OAuthError => new OAuthError('invalid_client_id', 'client identifier invalid');
const invalidClient = (): OAuthError => new OAuthError('invalid_client', 'invalid client credentials');
const redirectMismatch = (): OAuthError =>
  new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
const revokedRefreshToken = (): OAuthError => new OAuthError('invalid_grant', 'expired access/refresh token');
/**
 * Two refreshes of one refresh token at once (Salesforce since Summer '24). Login History shows
 * "Token request is already being processed"; the token endpoint answers this invalid_grant, as
 * measured against Salesforce by Segment (action-destinations #2300). See simulator/README.md.
 */
const refreshAlreadyInFlight = (): OAuthError =>
  new OAuthError('invalid_grant', 'expired authorization code');

function isLoopbackCallback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return (
      url.protocol === 'http:' &&
      ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) &&
      url.pathname === '/oauth/callback'
    );
  } catch {
    return false;
  }
}

function clientOrg(r: OAuthRequest, clientId: string | null): SimOrg {
  const org = r.env.orgsByClientId.get(clientId ?? '');
  if (!org || (r.instanceOrg && r.instanceOrg !== org)) throw invalidClientId();
  return org;
}

function userIdOf(org: SimOrg, userIndex: number): string {
  return makeId(KEY_PREFIXES.User, org.data.idSpace, userIndex + 1);
}

/** Which refresh token the answer carries, and which grant the new access token belongs to. */
type RefreshOutcome =
  | { kind: 'newGrant' }
  | { kind: 'none' }
  | { kind: 'kept'; presented: string; grantId: string }
  | { kind: 'rotated'; successor: string; grantId: string };

function tokenBody(
  r: OAuthRequest,
  org: SimOrg,
  userIndex: number,
  scope: string,
  refresh: RefreshOutcome,
): Record<string, string> {
  const owner = { orgId: org.orgId, userIndex };
  let refreshToken: string | undefined;
  let grantId: string | undefined;
  let session: string | undefined;
  if (refresh.kind === 'newGrant') {
    refreshToken = r.env.tokens.issueRefreshToken(owner, org.clientId, scope);
    session = refreshToken;
    const lookup = r.env.tokens.lookupRefreshToken(refreshToken);
    grantId = lookup.state === 'live' ? lookup.token.grantId : undefined;
  } else if (refresh.kind === 'kept') {
    session = refresh.presented;
    grantId = refresh.grantId;
  } else if (refresh.kind === 'rotated') {
    refreshToken = refresh.successor;
    session = refresh.successor;
    grantId = refresh.grantId;
  }
  const { token, issuedAt } = r.env.tokens.issueAccessToken(owner, session, grantId);
  const id = `${r.env.baseUrl}/id/${org.orgId}/${userIdOf(org, userIndex)}`;
  const signature = createHmac('sha256', org.clientSecret)
    .update(id + String(issuedAt))
    .digest('base64');
  return {
    access_token: token,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    signature,
    scope,
    instance_url: instanceUrlOf(r.env, org),
    id,
    token_type: 'Bearer',
    issued_at: String(issuedAt),
  };
}

function requireSecret(org: SimOrg, secret: string | null): void {
  if (secret !== org.clientSecret) throw invalidClient();
}

/**
 * Apps that require PKCE refuse an authorize request without a challenge ("missing required code
 * challenge"). Only S256 is taken; an absent method means S256, and the challenge's form is not
 * checked here (a wrong one fails at the token call, as on Salesforce): see simulator/README.md.
 */
function pkceProblem(
  org: SimOrg,
  challenge: string,
  method: string | null,
): { error: string; error_description: string } | undefined {
  if (!challenge) {
    return org.oauthPolicy.pkceRequired
      ? { error: 'invalid_request', error_description: 'missing required code challenge' }
      : undefined;
  }
  if (method !== null && method !== 'S256') {
    return { error: 'invalid_request', error_description: 'invalid code challenge method' };
  }
  return undefined;
}

function pkceMatches(challenge: string, verifier: string | null): boolean {
  return verifier !== null && createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function authorizationCodeGrant(r: OAuthRequest, form: URLSearchParams, org: SimOrg): Record<string, string> {
  const verifier = form.get('code_verifier');
  if (form.get('client_secret') !== null || verifier === null) requireSecret(org, form.get('client_secret'));
  const code = form.get('code');
  if (!code) throw new OAuthError('invalid_request', 'missing required code parameter');
  const redeemed = r.env.tokens.redeemCode(code);
  if (!redeemed.ok) {
    throw new OAuthError(
      'invalid_grant',
      redeemed.reason === 'unknown' ? 'invalid authorization code' : 'expired authorization code',
    );
  }
  const { grant } = redeemed;
  if (grant.clientId !== org.clientId) throw new OAuthError('invalid_grant', 'invalid authorization code');
  if (form.get('redirect_uri') !== grant.redirectUri) throw redirectMismatch();
  if (grant.codeChallenge && !pkceMatches(grant.codeChallenge, verifier)) {
    throw new OAuthError('invalid_grant', 'invalid code verifier');
  }
  const scopes = grant.scope.split(/\s+/);
  const refresh = scopes.includes('refresh_token') || scopes.includes('offline_access');
  return tokenBody(r, org, grant.userIndex, grant.scope, refresh ? { kind: 'newGrant' } : { kind: 'none' });
}

function refreshTokenGrant(r: OAuthRequest, form: URLSearchParams, org: SimOrg): Record<string, string> {
  requireSecret(org, form.get('client_secret'));
  const presented = form.get('refresh_token') ?? '';
  const lookup = r.env.tokens.lookupRefreshToken(presented);
  if (lookup.state === 'retired') {
    // A rotated-out token came back: whoever holds it may have stolen it, so the grant ends.
    r.env.tokens.revokeGrant(lookup.grantId);
    throw revokedRefreshToken();
  }
  if (lookup.state === 'unknown' || lookup.token.clientId !== org.clientId) throw revokedRefreshToken();
  const { token: stored } = lookup;
  const refresh: RefreshOutcome = org.oauthPolicy.refreshTokenRotation
    ? { kind: 'rotated', successor: r.env.tokens.rotate(presented) ?? '', grantId: stored.grantId }
    : { kind: 'kept', presented, grantId: stored.grantId };
  return tokenBody(r, org, stored.userIndex, stored.scope, refresh);
}

function clientCredentialsGrant(r: OAuthRequest, form: URLSearchParams, org: SimOrg): Record<string, string> {
  requireSecret(org, form.get('client_secret'));
  if (!r.instanceOrg) throw new OAuthError('invalid_grant', 'request not supported on this domain');
  if (!org.clientCredentialsUser) throw new OAuthError('invalid_grant', 'no client credentials user enabled');
  return tokenBody(r, org, ADMIN_USER_INDEX, 'api', { kind: 'none' });
}

const GRANTS = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
} as const;

function formOf(r: OAuthRequest): URLSearchParams {
  const type = r.req.headers['content-type'] ?? '';
  return type.includes('application/x-www-form-urlencoded')
    ? new URLSearchParams(r.body)
    : new URLSearchParams();
}

/** Injected OAuth outages and hangs; only rules that name an OAuth path reach here. */
async function applyFaults(r: OAuthRequest, org: SimOrg): Promise<'continue' | 'answered'> {
  const target = {
    orgId: org.orgId,
    method: r.req.method,
    path: `/services/oauth2/${r.action}`,
    area: 'oauth' as const,
  };
  const fault = r.env.faults.takeRequestFault(target);
  await pause(r.env.faults.takeSlowdownMs(target), r.res);
  if (fault?.kind === 'timeout') {
    if (fault.hangMs === undefined) {
      await new Promise<void>((resolve) => r.res.once('close', () => resolve()));
      return 'answered';
    }
    await pause(fault.hangMs, r.res);
  }
  if (fault?.kind === 'serverError') {
    sendResult(r.res, {
      status: fault.status ?? 503,
      json: { error: 'unknown_error', error_description: 'retry your request' },
    });
    return 'answered';
  }
  return r.res.destroyed ? 'answered' : 'continue';
}

async function token(r: OAuthRequest): Promise<void> {
  if (r.req.method !== 'POST') throw new OAuthError('invalid_request', 'must use HTTP POST');
  const form = formOf(r);
  const grantType = form.get('grant_type') ?? '';
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType as keyof typeof GRANTS] : undefined;
  if (!grant) throw new OAuthError('unsupported_grant_type', 'grant type not supported');
  const org = clientOrg(r, form.get('client_id'));
  r.call.orgId = org.orgId;
  // A refresh is "in flight" from its arrival until its answer (injected slowness and the latency
  // model included), so two overlapping refreshes of one token really overlap here, as on Salesforce.
  const refreshing = grantType === 'refresh_token' ? (form.get('refresh_token') ?? '') : null;
  const marked = refreshing !== null && r.env.tokens.beginRefresh(refreshing);
  try {
    if (refreshing !== null && !marked && org.oauthPolicy.refuseConcurrentRefresh)
      throw refreshAlreadyInFlight();
    if ((await applyFaults(r, org)) === 'answered') return;
    await pause(org.latency.perCallMs, r.res);
    if (r.res.destroyed) return;
    sendResult(r.res, {
      status: 200,
      json: grant(r, form, org),
      headers: { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' },
    });
  } finally {
    if (marked && refreshing !== null) r.env.tokens.endRefresh(refreshing);
  }
}

function redirectTo(res: Response, uri: string, params: Record<string, string | null>): void {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  res.redirect(302, url.toString());
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/**
 * Salesforce's login and "Allow Access?" page, reduced to what a browser test drives: the
 * authorize parameters ride along as hidden fields, and Allow or Deny posts them back to authorize
 * with `sim_decision`. The username is shown, not checked: the simulator has no passwords.
 */
function sendConsentPage(r: OAuthRequest, org: SimOrg, params: URLSearchParams): void {
  const hidden = [...params]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Allow Access?</title></head><body>
<h1>Allow Access?</h1>
<p>Log in to the simulated org ${escapeHtml(org.orgId)} and allow the connected app ${escapeHtml(org.clientId)} to access your data (scope: ${escapeHtml(params.get('scope') ?? DEFAULT_SCOPE)}).</p>
<form method="post" action="/services/oauth2/authorize">${hidden}
<label for="sim-username">Username</label> <input id="sim-username" name="sim_username" autocomplete="username">
<label for="sim-password">Password</label> <input id="sim-password" name="sim_password" type="password" autocomplete="current-password">
<button type="submit" name="sim_decision" value="allow">Allow</button>
<button type="submit" name="sim_decision" value="deny">Deny</button>
</form></body></html>`;
  r.res.status(200).setHeader('Cache-Control', 'no-store').type('html').send(html);
}

async function authorize(r: OAuthRequest): Promise<void> {
  const params = r.req.method === 'POST' ? formOf(r) : r.query;
  const org = clientOrg(r, params.get('client_id'));
  r.call.orgId = org.orgId;
  const redirectUri = params.get('redirect_uri') ?? '';
  if (redirectUri !== org.redirectUri && !isLoopbackCallback(redirectUri)) throw redirectMismatch();
  if ((await applyFaults(r, org)) === 'answered') return;
  const state = params.get('state');
  if (params.get('response_type') !== 'code') {
    return redirectTo(r.res, redirectUri, {
      error: 'unsupported_response_type',
      error_description: 'response type not supported',
      state,
    });
  }
  if (org.oauthPolicy.consentPage && r.req.method === 'GET' && params.get('sim_decision') === null) {
    sendConsentPage(r, org, params);
    return;
  }
  if (params.get('sim_decision') === 'deny' || r.env.faults.takeAccessDenied(org.orgId)) {
    return redirectTo(r.res, redirectUri, {
      error: 'access_denied',
      error_description: 'end-user denied authorization',
      state,
    });
  }
  const codeChallenge = params.get('code_challenge') ?? '';
  const pkceRefusal = pkceProblem(org, codeChallenge, params.get('code_challenge_method'));
  if (pkceRefusal) return redirectTo(r.res, redirectUri, { ...pkceRefusal, state });
  const code = r.env.tokens.issueCode({
    orgId: org.orgId,
    userIndex: ADMIN_USER_INDEX,
    clientId: org.clientId,
    redirectUri,
    scope: params.get('scope') ?? DEFAULT_SCOPE,
    ...(codeChallenge ? { codeChallenge } : {}),
  });
  redirectTo(r.res, redirectUri, { code, state });
}

function revoke(r: OAuthRequest): void {
  const tokenValue = (r.req.method === 'POST' ? formOf(r) : r.query).get('token');
  if (!tokenValue) throw new OAuthError('unsupported_token_type', 'unsupported token type');
  if (!r.env.tokens.revoke(tokenValue)) throw new OAuthError('invalid_token', 'invalid token');
  sendResult(r.res, { status: 200 });
}

export async function handleOAuthRequest(r: OAuthRequest): Promise<void> {
  r.call.area = 'oauth';
  if (r.instanceOrg) r.call.orgId = r.instanceOrg.orgId;
  try {
    if (r.action === 'token') return await token(r);
    if (r.action === 'authorize') return await authorize(r);
    if (r.action === 'revoke') return revoke(r);
    sendResult(r.res, {
      status: 404,
      json: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
    });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendResult(r.res, { status: 400, json: { error: error.error, error_description: error.description } });
  }
}

/** `GET <login url>/id/<orgId>/<userId>`: who the token belongs to (clients such as jsforce read it). */
export function handleIdentityRequest(
  env: SimulatorEnv,
  req: Request,
  res: Response,
  orgId: string,
  userId: string,
): void {
  const owner = env.tokens.verifyAccessToken(bearerToken(req.headers.authorization) ?? '');
  const org = env.orgs.get(orgId);
  if (!owner || !org || owner.orgId !== orgId || userIdOf(org, owner.userIndex) !== userId) {
    return sendResult(res, { status: 403, text: 'Bad_OAuth_Token' });
  }
  const instance = instanceUrlOf(env, org);
  sendResult(res, {
    status: 200,
    json: {
      id: `${env.baseUrl}/id/${orgId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: orgId,
      username: username(org.data, owner.userIndex),
      display_name: owner.userIndex === ADMIN_USER_INDEX ? 'Org Admin' : username(org.data, owner.userIndex),
      active: true,
      user_type: 'STANDARD',
      urls: {
        rest: `${instance}/services/data/v{version}/`,
        query: `${instance}/services/data/v{version}/query/`,
        sobjects: `${instance}/services/data/v{version}/sobjects/`,
      },
    },
  });
}
