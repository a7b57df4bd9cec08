/**
 * OAuth 2.0 against Salesforce (web server flow with PKCE, refresh, client credentials, revoke) as
 * pure functions over axios. The api uses the code exchange; the org client uses refresh / re-grant.
 * Endpoints resolve against the URL's origin, as Salesforce's instance and login URLs carry no path.
 * Tokens never go into errors or logs; neither does Salesforce's `error_description`, which
 * travels as `remoteMessage` for the handler to log.
 *
 * Every grant's answer is checked before it is used: `instance_url` must pass the endpoint check
 * and belong with the host the grant was asked at, and the org and user come from the identity
 * URL fetched with the new token (shared/salesforce/identity.ts), not from the answer's say-so.
 */
import { createHash, randomBytes } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import { z } from 'zod';
import { MAX_OAUTH_RESPONSE_BYTES, boundedRequest, isTooLarge } from './httpLimits.js';
import { verifiedIdentity } from './identity.js';
import {
  checkedInstanceUrl,
  endpointProblem,
  sameOrgHost,
  type EndpointPolicy,
  type EndpointRole,
} from './instanceUrl.js';
import type { OrgTokens } from './salesforceClient.js';
import { SalesforceError } from './salesforceError.js';

export const OAUTH_SCOPE = 'api refresh_token offline_access';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface OAuthEndpoint {
  /** Login host or the org's My Domain URL. */
  instanceUrl: string;
  timeoutMs?: number;
  /** Which hosts may be called (config `salesforce.endpoints`). */
  endpoints: EndpointPolicy;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().min(1),
  id: z.string().min(1),
  issued_at: z.string().regex(/^\d+$/).optional(),
});

const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/**
 * PKCE (RFC 7636, S256): the verifier stays with whoever exchanges the code; only its hash goes
 * through the browser. External Client Apps require it on the web server flow.
 */
export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function pkcePair(): PkcePair {
  // 32 random bytes = 43 base64url characters, the shortest verifier RFC 7636 allows.
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** An absolute API path (`/services/…`) against the origin of a checked instance or login URL. */
export function endpointUrl(
  instanceUrl: string,
  path: string,
  endpoints: EndpointPolicy,
  role: EndpointRole = 'instance URL',
): string {
  return new URL(path, checkedInstanceUrl(instanceUrl, endpoints, role)).toString();
}

export function authorizeUrl(params: {
  instanceUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  endpoints: EndpointPolicy;
}): string {
  const url = new URL(
    endpointUrl(params.instanceUrl, '/services/oauth2/authorize', params.endpoints, 'login URL'),
  );
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    state: params.state,
    scope: OAUTH_SCOPE,
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

export function exchangeAuthorizationCode(
  params: OAuthEndpoint & {
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    code: string;
    codeVerifier: string;
  },
): Promise<OrgTokens> {
  return requestTokens(params, {
    grant_type: 'authorization_code',
    code: params.code,
    client_id: params.clientId,
    client_secret: params.clientSecret,
    redirect_uri: params.redirectUri,
    code_verifier: params.codeVerifier,
  });
}

/** Must go to the org's My Domain URL: Salesforce refuses it on the generic login host. */
export function clientCredentialsGrant(
  params: OAuthEndpoint & { clientId: string; clientSecret: string },
): Promise<OrgTokens> {
  return requestTokens(params, {
    grant_type: 'client_credentials',
    client_id: params.clientId,
    client_secret: params.clientSecret,
  });
}

/**
 * Without refresh-token rotation Salesforce answers no refresh token and the old one stays valid;
 * with rotation it answers a new one and the one sent is retired (sending it again revokes the
 * grant), so the caller must store the answer before anything else.
 */
export async function refreshAccessToken(
  params: OAuthEndpoint & { clientId: string; clientSecret: string; refreshToken: string },
): Promise<OrgTokens> {
  const tokens = await requestTokens(params, {
    grant_type: 'refresh_token',
    refresh_token: params.refreshToken,
    client_id: params.clientId,
    client_secret: params.clientSecret,
  });
  return { ...tokens, refreshToken: tokens.refreshToken ?? params.refreshToken };
}

export async function revokeToken(params: OAuthEndpoint & { token: string }): Promise<void> {
  await post(params, 'revoke', { token: params.token });
}

async function requestTokens(endpoint: OAuthEndpoint, form: Record<string, string>): Promise<OrgTokens> {
  const response = await post(endpoint, 'token', form);
  const parsed = tokenResponseSchema.safeParse(response.data);
  if (!parsed.success) {
    throw new SalesforceError(
      `Salesforce token response is not understood: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'} ${i.message}`)
        .join('; ')}`,
      { kind: 'permanent', errorCode: 'BAD_TOKEN_RESPONSE', status: response.status, orgId: null },
    );
  }
  const body = parsed.data;
  const instanceProblem =
    endpointProblem(body.instance_url, endpoint.endpoints) ??
    (sameOrgHost(endpoint.instanceUrl, body.instance_url)
      ? null
      : "is not the host the grant was asked at (ask at the org's My Domain or the generic login host)");
  if (instanceProblem) {
    throw new SalesforceError(`The instance URL of Salesforce's token response ${instanceProblem}`, {
      kind: 'permanent',
      errorCode: 'INSTANCE_URL_REFUSED',
      status: response.status,
      orgId: null,
    });
  }
  const identity = await verifiedIdentity(body.id, body.access_token, {
    endpoints: endpoint.endpoints,
    timeoutMs: endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? null,
    instanceUrl: checkedInstanceUrl(body.instance_url, endpoint.endpoints),
    orgId: identity.orgId,
    userId: identity.userId,
    issuedAt: body.issued_at ? new Date(Number(body.issued_at)) : new Date(),
  };
}

async function post(
  endpoint: OAuthEndpoint,
  action: 'token' | 'revoke',
  form: Record<string, string>,
): Promise<AxiosResponse<unknown>> {
  const path = `/services/oauth2/${action}`;
  const url = endpointUrl(endpoint.instanceUrl, path, endpoint.endpoints, 'login URL');
  try {
    return await axios.post<unknown>(url, new URLSearchParams(form).toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      timeout: endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      validateStatus: (status) => status >= 200 && status < 300,
      ...boundedRequest(MAX_OAUTH_RESPONSE_BYTES),
    });
  } catch (error) {
    throw oauthError(error, path, form.grant_type);
  }
}

/**
 * Salesforce refuses a refresh while another refresh of the same refresh token is in flight
 * (since Summer '24). On the wire it is an invalid_grant whose description, as measured by others,
 * is "expired authorization code" (Login History: "Token request is already being processed").
 * Neither means the grant is gone: wait and try again.
 */
const REFRESH_IN_FLIGHT = /^expired authorization code$|already being processed/i;

/**
 * Maps a failed OAuth call; `invalid_grant` means the alias's grant is gone for good, except the
 * "refresh already in flight" answer to a refresh (retryable, errorCode REFRESH_IN_PROGRESS).
 */
export function oauthError(error: unknown, path: string, grantType?: string): SalesforceError {
  const base = { orgId: null, method: 'POST', path };
  if (isTooLarge(error)) {
    return new SalesforceError('Salesforce OAuth answered more than an OAuth answer can be', {
      ...base,
      kind: 'permanent',
      errorCode: 'RESPONSE_TOO_LARGE',
      status: null,
    });
  }
  if (!axios.isAxiosError(error) || !error.response) {
    const code = axios.isAxiosError(error) ? (error.code ?? 'NETWORK_ERROR') : 'NETWORK_ERROR';
    return new SalesforceError(
      `Salesforce OAuth call failed before an answer came back (${code})`,
      { ...base, kind: 'retryable', errorCode: code, status: null },
      { cause: stripped(error) },
    );
  }
  const { status } = error.response;
  const body = oauthErrorSchema.safeParse(error.response.data);
  const errorCode = body.success ? body.data.error : `HTTP_${status}`;
  const remote =
    body.success && body.data.error_description ? { remoteMessage: body.data.error_description } : {};
  // Our words only: the description is Salesforce's (or whoever answered) and goes to the log.
  if (status >= 500 || status === 429) {
    return new SalesforceError(
      `Salesforce OAuth is unavailable (HTTP ${status})`,
      { ...base, kind: 'retryable', errorCode: safeCode(errorCode), status },
      remote,
    );
  }
  if (
    errorCode === 'invalid_grant' &&
    grantType === 'refresh_token' &&
    REFRESH_IN_FLIGHT.test(body.success ? (body.data.error_description ?? '') : '')
  ) {
    return new SalesforceError(
      'Salesforce is still processing another refresh of this refresh token: retry shortly',
      { ...base, kind: 'retryable', errorCode: 'REFRESH_IN_PROGRESS', status },
    );
  }
  if (errorCode === 'invalid_grant') {
    return new SalesforceError(
      'Salesforce refused the grant (invalid_grant): this alias must be re-authorized',
      { ...base, kind: 'auth', errorCode, status },
      remote,
    );
  }
  return new SalesforceError(
    `Salesforce OAuth refused the request (${safeCode(errorCode)})`,
    { ...base, kind: 'permanent', errorCode: safeCode(errorCode), status },
    remote,
  );
}

/** OAuth error codes are short snake_case words; anything else is not repeated as is. */
function safeCode(code: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : 'unrecognized_error';
}

/** axios errors carry the request config (form body with secrets): keep only the message. */
function stripped(error: unknown): Error {
  return new Error(error instanceof Error ? error.message : String(error));
}
