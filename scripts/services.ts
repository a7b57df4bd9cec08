/** `npx tsx scripts/services.ts ensure-ferretdb`: build the pinned FerretDB once (CI, fresh machines). */
import { ensureFerretdbBinary } from './ferretdb.js';

const [command] = process.argv.slice(2);
if (command !== 'ensure-ferretdb') {
  process.stderr.write('usage: tsx scripts/services.ts ensure-ferretdb\n');
  process.exit(2);
}
const started = Date.now();
ensureFerretdbBinary((line) => process.stderr.write(`${line}\n`))
  .then((path) => process.stdout.write(`ferretdb: ${path} (${Date.now() - started} ms)\n`))
  .catch((error: unknown) => {
    process.stderr.write(`ferretdb: ${(error as Error).message}\n`);
    process.exit(1);
  });
