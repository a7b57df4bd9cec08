import { noteReadChange } from '../../shared/pipeline/readGenerations.js';
import type { Express } from 'express';
import { ROLE_SETS } from '../http/auth.js';
import { ApiProblem } from '../http/problem.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import { idParams } from '../http/schemas.js';
import type { ApiServices } from '../services/apiServices.js';
import { aliasSchema } from '../services/aliases.service.js';
import { orgChangeQuery } from '../services/aliasOrgBinding.js';
import {
  StateRefused,
  clientCredentials,
  completeAuthorization,
  consumeState,
  oauthStartSchema,
  startAuthorization,
} from '../services/oauth.service.js';

const base = '/api/v1/aliases/:id/oauth';

export function oauthRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: `${base}/start`,
      tag: 'oauth',
      summary:
        'Authorization Code with PKCE: the Salesforce authorize URL with a signed, single-use, expiring state; sets the HttpOnly cookie that binds the flow to this browser',
      roles: ROLE_SETS.configure,
      params: idParams,
      query: orgChangeQuery,
      response: oauthStartSchema,
      handle: async ({ params, query, actor }) => {
        const started = await startAuthorization(s, params.id, { confirmed: query.confirmOrgChange, actor });
        return { body: started.body, headers: { 'Set-Cookie': started.setCookie } };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${base}/token`,
      tag: 'oauth',
      summary: 'Client Credentials: get tokens without a browser',
      roles: ROLE_SETS.configure,
      params: idParams,
      query: orgChangeQuery,
      response: aliasSchema,
      handle: async ({ params, query, actor }) => ({
        body: await clientCredentials(s, params.id, { confirmed: query.confirmOrgChange, actor }),
      }),
    }),
  ];
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Where the console's setup wizard lives; the callback sends the browser back there. */
const SETUP_PAGE = '/admin/#/setup';

function page(title: string, message: string, returnToSetup = false): string {
  // A meta refresh, not a script: the callback's CSP allows no script at all.
  const refresh = returnToSetup ? `<meta http-equiv="refresh" content="1;url=${SETUP_PAGE}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="${SETUP_PAGE}">Back to the setup</a></p></body></html>`;
}

/**
 * Where Salesforce sends the browser back. Unauthenticated by nature: the signed state and the
 * browser-binding cookie set by the start are the proof.
 */
export function mountOAuthCallback(app: Express, s: ApiServices): void {
  app.get('/oauth/callback', async (req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    res.setHeader('Cache-Control', 'no-store');
    const q = req.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    const code = typeof q.code === 'string' ? q.code : '';
    const sfError = typeof q.error === 'string' ? q.error : '';
    if (sfError || !state || !code) {
      // The error code only: a description in the URL is whatever the sender put there.
      const why = sfError
        ? `Salesforce answered: ${/^[a-z_]{1,64}$/.test(sfError) ? sfError : 'an unrecognized error'}`
        : 'the callback is missing its code or state';
      if (sfError)
        s.log.warn({ salesforceError: sfError, remoteMessage: q.error_description }, 'oauth denied');
      res.status(400).type('html').send(page('Authorization failed', why));
      return;
    }
    try {
      const consumed = await consumeState(s, state, req.header('cookie'));
      res.setHeader('Set-Cookie', consumed.clearCookie);
      const alias = await completeAuthorization(s, consumed, code);
      // The alias (and, on a confirmed org change, its profile) changed: cached reads are stale.
      await noteReadChange(s.redis, s.config.redis.prefix, { profileId: null, hard: true }).catch(
        (error: unknown) =>
          s.log.warn({ err: error }, 'read cache counters not moved after an authorization'),
      );
      res
        .status(200)
        .type('html')
        .send(
          page(
            'Authorized',
            `Alias "${alias.name}" is connected to org ${alias.authorizedOrg?.orgId ?? ''}. Returning to the setup…`,
            true,
          ),
        );
    } catch (error) {
      if (error instanceof StateRefused) {
        res.status(400).type('html').send(page('Authorization refused', error.reason));
        return;
      }
      if (error instanceof ApiProblem && error.status === 409) {
        res.status(409).type('html').send(page('Authorization refused', error.message));
        return;
      }
      const e = error as { code?: unknown; message?: unknown };
      s.log.warn({ errCode: e.code, errMessage: e.message }, 'oauth callback failed');
      res
        .status(502)
        .type('html')
        .send(page('Authorization failed', 'the token exchange with Salesforce failed; start again'));
    }
  });
}
