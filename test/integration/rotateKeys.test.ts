/**
 * Key rotation end to end: secrets sealed in the first format (no associated data) and in the
 * current one under an old key are re-sealed by `npm run rotate-keys` under a new key, after which
 * the old key can leave ENCRYPTION_KEYS and everything still opens; ciphertexts moved to another
 * alias or field are refused.
 */
import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, type Config } from '../../shared/config.js';
import { createSecretBox, type EncryptedValue } from '../../shared/crypto/secretBox.js';
import { loadOrgAccess } from '../../shared/db/aliasCredentials.js';
import { bindModels, type Models } from '../../shared/db/models.js';
import { resealAllSecrets } from '../../shared/db/resealSecrets.js';
import { openTestDb, type TestDb } from '../helpers/services.js';

const OLD = { id: 'old1', key: randomBytes(32) };
const NEW = { id: 'new2', key: randomBytes(32) };
const keysEnv = (keys: { id: string; key: Buffer }[]) =>
  keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
const cryptoOf = (keys: { id: string; key: Buffer }[]): Config['crypto'] => ({
  keys,
  activeKeyId: keys[0]!.id,
});

/** What the code sealed before values were bound to their alias and field. */
function firstFormatSeal(key: { id: string; key: Buffer }, plaintext: string): EncryptedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    keyId: key.id,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

let db: TestDb;
let models: Models;
const secretsOf = (n: number) => ({
  clientSecret: `client-secret-${n}-${randomBytes(6).toString('hex')}`,
  accessToken: `access-${n}-${randomBytes(6).toString('hex')}`,
  refreshToken: `refresh-${n}-${randomBytes(6).toString('hex')}`,
});
const plain = [secretsOf(1), secretsOf(2)];
const profileIds: string[] = [];
const aliasIds: Types.ObjectId[] = [];

beforeAll(async () => {
  db = await openTestDb('rotate');
  models = bindModels(db.connection);
  const oldBox = createSecretBox(cryptoOf([OLD]));
  for (const [i, s] of plain.entries()) {
    const _id = new Types.ObjectId();
    aliasIds.push(_id);
    const aliasId = String(_id);
    // Alias 1 entirely in the first format; alias 2 in the current format, both under the old key.
    const seal = (value: string, field: 'clientSecret' | 'accessToken' | 'refreshToken') =>
      i === 0 ? firstFormatSeal(OLD, value) : oldBox.seal(value, { aliasId, field });
    await models.ConnectionAlias.create({
      _id,
      name: `rotate-${i}`,
      nameKey: `rotate-${i}`,
      instanceUrl: 'https://rotate.my.salesforce.com',
      grantType: 'authorization_code',
      clientId: `client-${i}`,
      clientSecret: seal(s.clientSecret, 'clientSecret'),
      tokens: {
        accessToken: seal(s.accessToken, 'accessToken'),
        refreshToken: seal(s.refreshToken, 'refreshToken'),
        instanceUrl: 'https://rotate.my.salesforce.com',
        orgId: '00D000000000001AAA',
        userId: '005000000000001AAA',
        issuedAt: new Date(),
      },
      authStatus: 'authorized',
    });
    const profile = await models.IntegrationProfile.create({
      displayName: `Rotate ${i}`,
      displayNameKey: `rotate ${i}`,
      aliasId: _id,
      status: 'draft',
      createdBy: 'test',
      updatedBy: 'test',
    });
    profileIds.push(String(profile._id));
  }
});

afterAll(async () => {
  await db?.drop();
});

async function openedWith(keys: { id: string; key: Buffer }[]) {
  const box = createSecretBox(cryptoOf(keys));
  return Promise.all(
    profileIds.map(async (id) => {
      const access = await loadOrgAccess(models, box, id);
      return {
        clientSecret: access.credentials.clientSecret,
        accessToken: access.credentials.tokens?.accessToken,
        refreshToken: access.credentials.tokens?.refreshToken,
      };
    }),
  );
}

describe('npm run rotate-keys', () => {
  it('when the old key is still configured, then both formats open before any rotation', async () => {
    expect(await openedWith([NEW, OLD])).toEqual(plain);
  });

  it('when rotate-keys runs with a new key first, then the old key can be removed and every secret still opens', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/rotateKeys.ts'],
      {
        env: childEnv({ MONGO_URL: db.url, ENCRYPTION_KEYS: keysEnv([NEW, OLD]), NODE_ENV: 'test' }),
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('re-sealed 6');
    expect(stdout).toContain('failed 0');
    for (const s of plain) for (const v of Object.values(s)) expect(stdout).not.toContain(v);
    expect(await openedWith([NEW])).toEqual(plain);
    await expect(openedWith([OLD])).rejects.toMatchObject({ code: 'CRYPTO_KEY_MISSING' });
  }, 90_000);

  it('when rotate-keys runs again, then nothing changes', async () => {
    const before = await models.ConnectionAlias.find().sort({ _id: 1 }).lean();
    const report = await resealAllSecrets(models, createSecretBox(cryptoOf([NEW])));
    expect(report).toMatchObject({ aliases: 2, resealed: 0, current: 6, failed: [] });
    const after = await models.ConnectionAlias.find().sort({ _id: 1 }).lean();
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it('when a ciphertext is copied to another alias or into another field, then it no longer opens', async () => {
    const a = await models.ConnectionAlias.findById(aliasIds[0]).lean();
    // Alias 2's client secret now holds alias 1's sealed secret.
    await models.ConnectionAlias.updateOne({ _id: aliasIds[1] }, { $set: { clientSecret: a!.clientSecret } });
    await expect(
      loadOrgAccess(models, createSecretBox(cryptoOf([NEW])), profileIds[1]!),
    ).rejects.toMatchObject({
      code: 'CRYPTO_TAMPERED',
    });
    // Alias 1's refresh token field now holds its own access token.
    await models.ConnectionAlias.updateOne(
      { _id: aliasIds[0] },
      { $set: { 'tokens.refreshToken': a!.tokens!.accessToken } },
    );
    await expect(
      loadOrgAccess(models, createSecretBox(cryptoOf([NEW])), profileIds[0]!),
    ).rejects.toMatchObject({
      code: 'CRYPTO_TAMPERED',
    });
  });
});
