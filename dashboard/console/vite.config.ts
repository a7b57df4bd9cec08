/**
 * Builds the admin console into ./dist, which the api serves at /admin/ (dashboard/adminPages/adminPages.ts).
 * Everything is bundled: no CDN, no inline script or style, so the pages' strict CSP holds.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/admin/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The preload polyfill is a script of its own; modern browsers need none.
    modulePreload: { polyfill: false },
    // A data: URL would need img-src/font-src data:, which the CSP does not grant.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
