/**
 * Which org and user a new token acts as, as Salesforce itself says. A token response's `id` is
 * the Identity URL (`https://<login or My Domain host>/id/<orgId>/<userId>`); its path is only a
 * claim until the URL, fetched with the new access token, answers with the same
 * `organization_id` and `user_id`. The host must pass the same endpoint check as any other call:
 * the access token travels with the request.
 */
import axios from 'axios';
import { z } from 'zod';
import { MAX_OAUTH_RESPONSE_BYTES, boundedRequest, isTooLarge } from './httpLimits.js';
import { endpointProblem, type EndpointPolicy } from './instanceUrl.js';
import { SalesforceError } from './salesforceError.js';

const ORG_ID = /^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/;

/** The fields of Salesforce's identity response seatwise relies on (it sends many more). */
const identityResponseSchema = z
  .object({
    organization_id: z.string().regex(ORG_ID),
    user_id: z.string().min(15),
    username: z.string().optional(),
  })
  .loose();

export interface VerifiedIdentity {
  orgId: string;
  userId: string;
  username: string | null;
}

export interface IdentityCheck {
  endpoints: EndpointPolicy;
  timeoutMs: number;
}

/** `…/id/<orgId>/<userId>` → the two ids, or null. */
export function claimedIdentity(idUrl: string): { orgId: string; userId: string } | null {
  let segments: string[] = [];
  try {
    segments = new URL(idUrl).pathname.split('/').filter((s) => s !== '');
  } catch {
    return null;
  }
  const [marker, orgId, userId] = segments.slice(-3);
  if (marker !== 'id' || !orgId || !userId || !ORG_ID.test(orgId)) return null;
  return { orgId, userId };
}

export async function verifiedIdentity(
  idUrl: string,
  accessToken: string,
  check: IdentityCheck,
): Promise<VerifiedIdentity> {
  const claimed = claimedIdentity(idUrl);
  if (!claimed)
    throw identityError('BAD_TOKEN_RESPONSE', 'Salesforce token response has no usable identity URL');
  const problem = endpointProblem(idUrl, check.endpoints, 'identity URL');
  if (problem) {
    throw identityError(
      'INSECURE_INSTANCE_URL',
      `The identity URL of Salesforce's token response ${problem}`,
    );
  }
  let data: unknown;
  try {
    const response = await axios.get<unknown>(idUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      timeout: check.timeoutMs,
      validateStatus: (status) => status >= 200 && status < 300,
      ...boundedRequest(MAX_OAUTH_RESPONSE_BYTES),
    });
    data = response.data;
  } catch (error) {
    if (isTooLarge(error))
      throw identityError('RESPONSE_TOO_LARGE', 'Salesforce identity answer is too large');
    const status = axios.isAxiosError(error) ? (error.response?.status ?? null) : null;
    if (status === null || status >= 500 || status === 429) {
      throw new SalesforceError('Salesforce identity URL could not be read; try again', {
        kind: 'retryable',
        errorCode: 'IDENTITY_UNAVAILABLE',
        status,
        orgId: null,
        method: 'GET',
        path: '/id',
      });
    }
    throw identityError(
      'IDENTITY_REFUSED',
      `Salesforce refused the new token at its own identity URL (HTTP ${status})`,
    );
  }
  const parsed = identityResponseSchema.safeParse(data);
  if (!parsed.success)
    throw identityError('BAD_TOKEN_RESPONSE', 'Salesforce identity response is not understood');
  const identity = parsed.data;
  if (identity.organization_id !== claimed.orgId || identity.user_id !== claimed.userId) {
    throw identityError(
      'IDENTITY_MISMATCH',
      'Salesforce token response names an org or user its own token does not belong to',
    );
  }
  return { orgId: identity.organization_id, userId: identity.user_id, username: identity.username ?? null };
}

function identityError(errorCode: string, message: string): SalesforceError {
  return new SalesforceError(message, { kind: 'permanent', errorCode, status: null, orgId: null });
}
