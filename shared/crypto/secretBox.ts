/**
 * Secrets at rest: AES-256-GCM with a key chosen by id, so keys can rotate — new values use the
 * active key, old values stay readable while their key is still configured.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { SeatwiseError } from '../errors.js';

export interface EncryptedValue {
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

export interface SecretBox {
  seal(plaintext: string): EncryptedValue;
  open(value: EncryptedValue): string;
  /** True when the value was sealed with a key other than the active one (re-seal it). */
  isStale(value: EncryptedValue): boolean;
}

export function createSecretBox(crypto: Config['crypto']): SecretBox {
  const keys = new Map(crypto.keys.map((k) => [k.id, k.key] as const));
  const activeKey = keys.get(crypto.activeKeyId);
  if (!activeKey)
    throw new SeatwiseError('CRYPTO_KEY_MISSING', 'the active encryption key is not configured');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', activeKey, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        keyId: crypto.activeKeyId,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
    },
    open(value) {
      const key = keys.get(value.keyId);
      if (!key) {
        throw new SeatwiseError(
          'CRYPTO_KEY_MISSING',
          `secret was sealed with key "${value.keyId}", which is not configured`,
          {
            keyId: value.keyId,
          },
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
        decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(value.data, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch (error) {
        throw new SeatwiseError(
          'CRYPTO_TAMPERED',
          'a stored secret failed authentication (wrong key or altered data)',
          {
            keyId: value.keyId,
          },
          { cause: error },
        );
      }
    },
    isStale(value) {
      return value.keyId !== crypto.activeKeyId;
    },
  };
}
