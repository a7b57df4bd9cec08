/**
 * Logging in to the admin pages and Bull Board: a token form POSTed once (the token never appears
 * in a URL), answered with a session cookie (api/http/browserSession.ts). Mounted at `/admin`.
 *
 * - `POST /admin/login` (form field `token`: an API token, or a one-time login code from
 *   `POST /api/v1/login-codes`, api/http/loginCodes.ts) → 303 to `/admin/` with the cookie, or to
 *   `/admin/?login=failed` without one. Only from our own origin (login CSRF).
 * - `POST /admin/logout` → ends the session server-side, clears the cookie, 303 to `/admin/`.
 * - `GET /admin/session` → `{name, role}` of the session (or bearer), else 401: the pages ask it
 *   whether to show the login form.
 */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { ApiTokenEntry } from '../../shared/config.js';
import { actorForToken, authenticate } from '../../api/http/auth.js';
import {
  clearedSessionCookie,
  fromOwnOrigin,
  sessionActorOf,
  sessionCookie,
  sessionIdOf,
  type SessionStore,
} from '../../api/http/browserSession.js';
import { ApiProblem } from '../../api/http/problem.js';

const loginForm = z.object({ token: z.string().trim().min(1).max(512) });

function requireOwnOrigin(req: Request, publicUrl: string): void {
  if (!fromOwnOrigin(req, publicUrl)) {
    throw new ApiProblem(403, 'ORIGIN_REFUSED', 'log in and out from this site’s own pages');
  }
}

export function adminLoginRouter(options: {
  store: SessionStore;
  tokens: readonly ApiTokenEntry[];
  publicUrl: string;
  /** The token entry a one-time login code stands for (spent by this call), or null. */
  redeemCode?: (code: string) => Promise<ApiTokenEntry | null>;
}): Router {
  const { store, publicUrl } = options;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });

  router.post('/login', form, async (req, res) => {
    requireOwnOrigin(req, publicUrl);
    const parsed = loginForm.safeParse(req.body ?? {});
    const actor = parsed.success ? actorForToken(parsed.data.token, options.tokens) : null;
    let entry = actor
      ? options.tokens.find((t) => t.name === actor.name && t.role === actor.role)
      : undefined;
    if (!entry && parsed.success && options.redeemCode) {
      entry = (await options.redeemCode(parsed.data.token)) ?? undefined;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (!entry) {
      res.redirect(303, '/admin/?login=failed');
      return;
    }
    // A fresh id at every login: a session id planted before login is never promoted.
    const previous = sessionIdOf(req);
    if (previous) await store.destroy(previous);
    const sessionId = await store.create(entry);
    res.setHeader('Set-Cookie', sessionCookie(req, publicUrl, sessionId, store.ttlSeconds));
    res.redirect(303, '/admin/');
  });

  router.post('/logout', async (req, res) => {
    requireOwnOrigin(req, publicUrl);
    const sessionId = sessionIdOf(req);
    if (sessionId) await store.destroy(sessionId);
    res.setHeader('Set-Cookie', clearedSessionCookie(req, publicUrl));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, '/admin/');
  });

  router.get('/session', (req, res) => {
    const actor = sessionActorOf(req) ?? authenticate(req.header('authorization'), options.tokens);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ name: actor.name, role: actor.role });
  });

  return router;
}
