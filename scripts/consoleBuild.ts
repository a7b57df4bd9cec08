/**
 * Builds the admin console (Vite) when its output is missing, for runs that skip `npm test`'s
 * pretest hook (a single test file through `npx vitest`) and for the screenshot script.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONFIG = fileURLToPath(new URL('../dashboard/console/vite.config.ts', import.meta.url));
const INDEX = fileURLToPath(new URL('../dashboard/console/dist/index.html', import.meta.url));

export async function ensureConsoleBuilt(): Promise<void> {
  if (existsSync(INDEX)) return;
  await build({ configFile: CONFIG, logLevel: 'warn' });
}
