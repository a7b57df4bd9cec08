/**
 * Secrets at rest: AES-256-GCM with a key chosen by id, so keys can rotate — new values use the
 * active key, old values stay readable while their key is still configured.
 *
 * Format 2 (`v: 2`) binds each ciphertext to where it belongs: the alias id and the field name are
 * GCM's associated data, so a ciphertext copied onto another alias or into another field fails to
 * open. Values sealed before that (no `v`) still open, without associated data, until
 * `npm run rotate-keys` re-seals them; after that run the old keys can leave `ENCRYPTION_KEYS`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { SeatwiseError } from '../errors.js';

export interface EncryptedValue {
  /** 2: associated data = alias id + field; absent: the first format, no associated data. */
  v?: number | null;
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

/** Every field a secret is sealed into. */
export const SECRET_FIELDS = ['clientSecret', 'accessToken', 'refreshToken'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

/** Where a sealed value lives; it opens only there. */
export interface SecretPlace {
  aliasId: string;
  field: SecretField;
}

export interface SecretBox {
  seal(plaintext: string, place: SecretPlace): EncryptedValue;
  open(value: EncryptedValue, place: SecretPlace): string;
  /** True when the value should be re-sealed: another key than the active one, or the old format. */
  isStale(value: EncryptedValue): boolean;
}

export const CURRENT_FORMAT = 2;

function associatedData(place: SecretPlace): Buffer {
  return Buffer.from(
    `seatwise/v${CURRENT_FORMAT}/alias/${place.aliasId.toLowerCase()}/${place.field}`,
    'utf8',
  );
}

export function createSecretBox(crypto: Config['crypto']): SecretBox {
  const keys = new Map(crypto.keys.map((k) => [k.id, k.key] as const));
  const activeKey = keys.get(crypto.activeKeyId);
  if (!activeKey)
    throw new SeatwiseError('CRYPTO_KEY_MISSING', 'the active encryption key is not configured');
  return {
    seal(plaintext, place) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', activeKey, iv);
      cipher.setAAD(associatedData(place));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        v: CURRENT_FORMAT,
        keyId: crypto.activeKeyId,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
    },
    open(value, place) {
      const key = keys.get(value.keyId);
      if (!key) {
        throw new SeatwiseError(
          'CRYPTO_KEY_MISSING',
          `secret was sealed with key "${value.keyId}", which is not configured`,
          { keyId: value.keyId },
        );
      }
      if (value.v != null && value.v !== CURRENT_FORMAT) {
        throw new SeatwiseError('CRYPTO_FORMAT_UNKNOWN', `secret format ${value.v} is not known`, {
          keyId: value.keyId,
        });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
        if (value.v === CURRENT_FORMAT) decipher.setAAD(associatedData(place));
        decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(value.data, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch (error) {
        throw new SeatwiseError(
          'CRYPTO_TAMPERED',
          'a stored secret failed authentication (wrong key, altered data, or sealed for another alias or field)',
          { keyId: value.keyId, field: place.field },
          { cause: error },
        );
      }
    },
    isStale(value) {
      return value.keyId !== crypto.activeKeyId || value.v !== CURRENT_FORMAT;
    },
  };
}
