/**
 * The admin console (dashboard/console, built by Vite into dashboard/console/dist): static files,
 * no data of their own. Everything they show comes from the API, authenticated by the session
 * cookie their login form obtains (./adminLogin.ts), so the API's roles apply unchanged.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Next to this file's folder in the source tree and in the image (dist/dashboard/console/dist). */
export const CONSOLE_DIR = fileURLToPath(new URL('../console/dist/', import.meta.url));

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
  router.use(
    '/assets',
    // Vite names every asset by its content hash: a new build is a new name.
    express.static(`${CONSOLE_DIR}assets`, {
      immutable: true,
      maxAge: '365d',
      fallthrough: true,
      redirect: false,
    }),
  );
  router.use(
    express.static(CONSOLE_DIR, {
      index: 'index.html',
      fallthrough: true,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  router.get('/', (_req, res) => {
    // Reached only when the build is missing: say how to make it instead of a bare 404.
    if (existsSync(`${CONSOLE_DIR}index.html`)) {
      res.status(404).end();
      return;
    }
    res.status(503).type('text').send('The admin console is not built: run `npm run build:console`.');
  });
  return router;
}
