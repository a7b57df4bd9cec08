/**
 * The admin pages: static files, no data of their own. Everything they show comes from the API,
 * authenticated by the session cookie their login form obtains (./adminLogin.ts), so the API's
 * roles apply unchanged.
 */
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** Mount at `/admin` (before Bull Board's `/admin/queues`, which it does not shadow). */
export function adminPagesRouter(): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    // Scripts and styles from our own origin only: a stored value can never run as code here.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer a form POST sends `Origin: null`.
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  router.use(express.static(PUBLIC_DIR, { index: 'index.html', fallthrough: true, redirect: false }));
  return router;
}
