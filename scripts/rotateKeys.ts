/**
 * `npm run rotate-keys`: re-seals every stored secret under the active key (the first of
 * `ENCRYPTION_KEYS`), in the format bound to its alias and field. Rotation:
 *   1. `npm run -s keygen`, put the new entry first in ENCRYPTION_KEYS, keep the old ones after it;
 *   2. restart the api and workers, then run this (idempotent; safe while they run);
 *   3. when it reports `failed: 0`, remove the old keys from ENCRYPTION_KEYS and restart again.
 * Prints counts only, never a value. Exit 1 when any value could not be opened.
 */
import { createSecretBox } from '../shared/crypto/secretBox.js';
import { connectMongo } from '../shared/db/connection.js';
import { bindModels } from '../shared/db/models.js';
import { resealAllSecrets } from '../shared/db/resealSecrets.js';
import { exitOnStartupFailure, loadConfigOrExit } from '../shared/processStartup.js';

const config = loadConfigOrExit('rotate-keys');

async function main(): Promise<void> {
  const mongo = await connectMongo(config.mongo.url);
  try {
    const report = await resealAllSecrets(bindModels(mongo), createSecretBox(config.crypto));
    process.stdout.write(
      `rotate-keys: active key ${config.crypto.activeKeyId}; aliases ${report.aliases}, ` +
        `re-sealed ${report.resealed}, already current ${report.current}, ` +
        `changed meanwhile ${report.changedMeanwhile}, failed ${report.failed.length}\n`,
    );
    for (const f of report.failed) {
      process.stdout.write(`  failed: alias ${f.aliasId} ${f.field}: ${f.code}\n`);
    }
    process.exitCode = report.failed.length > 0 ? 1 : 0;
  } finally {
    await mongo.close();
  }
}

main().catch((error: unknown) => exitOnStartupFailure('rotate-keys', error));
