/**
 * The server code compiled as the image has it (`npm run build`'s `tsc -p tsconfig.build.json`,
 * into `dist/`), for runs that must measure what production runs: `node dist/worker/main.js`, not
 * the source through tsx, whose loader and compiled sources add to a worker's memory (13–15 MB of
 * peak RSS at 1,000,000 users).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

/** Where `tsconfig.build.json` writes (its `outDir`), inside the repository so packages resolve. */
export const COMPILED_DIR = 'dist';

export async function compileBuild(): Promise<string> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return COMPILED_DIR;
}
