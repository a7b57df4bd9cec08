/**
 * Re-seals every secret seatwise stores (alias client secrets, access and refresh tokens) under the
 * active key and the current format (bound to its alias and field). Run by `npm run rotate-keys`
 * after a new key is put first in `ENCRYPTION_KEYS`; once it reports no failure, the old keys can
 * be removed. Idempotent: a value already current is left alone.
 *
 * Each write is conditional on the ciphertext it replaces, so a token refreshed meanwhile (already
 * sealed under the active key) is never overwritten with an older one.
 */
import type { EncryptedValue, SecretBox, SecretField } from '../crypto/secretBox.js';
import { describeError } from '../errors.js';
import type { Models } from './models.js';

export interface ResealFailure {
  aliasId: string;
  field: SecretField;
  /** The error's code (CRYPTO_KEY_MISSING, CRYPTO_TAMPERED, …); never the value. */
  code: string;
}

export interface ResealReport {
  aliases: number;
  /** Values re-sealed by this run. */
  resealed: number;
  /** Values already under the active key and format. */
  current: number;
  /** Values that changed between our read and our write (sealed anew by someone else). */
  changedMeanwhile: number;
  failed: ResealFailure[];
}

interface AliasSecrets {
  _id: unknown;
  clientSecret?: EncryptedValue | null;
  tokens?: { accessToken?: EncryptedValue | null; refreshToken?: EncryptedValue | null } | null;
}

const PATHS: Record<SecretField, string> = {
  clientSecret: 'clientSecret',
  accessToken: 'tokens.accessToken',
  refreshToken: 'tokens.refreshToken',
};

function valueAt(alias: AliasSecrets, field: SecretField): EncryptedValue | null {
  if (field === 'clientSecret') return alias.clientSecret ?? null;
  return alias.tokens?.[field] ?? null;
}

export async function resealAllSecrets(models: Models, box: SecretBox): Promise<ResealReport> {
  const report: ResealReport = { aliases: 0, resealed: 0, current: 0, changedMeanwhile: 0, failed: [] };
  const aliases = await models.ConnectionAlias.find(
    {},
    { clientSecret: 1, 'tokens.accessToken': 1, 'tokens.refreshToken': 1 },
  ).lean<AliasSecrets[]>();
  for (const alias of aliases) {
    report.aliases += 1;
    const aliasId = String(alias._id);
    for (const field of Object.keys(PATHS) as SecretField[]) {
      const value = valueAt(alias, field);
      if (!value) continue;
      if (!box.isStale(value)) {
        report.current += 1;
        continue;
      }
      let sealed: EncryptedValue;
      try {
        sealed = box.seal(box.open(value, { aliasId, field }), { aliasId, field });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        report.failed.push({
          aliasId,
          field,
          code: typeof code === 'string' ? code : describeError(error).split('\n')[0]!.slice(0, 80),
        });
        continue;
      }
      const path = PATHS[field];
      const result = await models.ConnectionAlias.updateOne(
        { _id: alias._id, [`${path}.iv`]: value.iv, [`${path}.data`]: value.data },
        { $set: { [path]: sealed } },
      );
      if (result.modifiedCount === 1) report.resealed += 1;
      else report.changedMeanwhile += 1;
    }
  }
  return report;
}
