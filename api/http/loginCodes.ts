/**
 * One-time login codes: a short-lived secret that the console's login form accepts once in place
 * of a token, so a script (the demo) can hand a person a way in without printing a long-lived
 * token. Redis keeps only the code's SHA-256 with the token entry it stands for; redeeming deletes
 * it in the same command (GETDEL), so two logins with one code cannot both succeed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ApiTokenEntry } from '../../shared/config.js';
import type { RedisConnection } from '../../shared/redis.js';

export const LOGIN_CODE_TTL_SECONDS = 600;

const stored = z.object({ name: z.string(), tokenSha256: z.string() });
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const keyOf = (prefix: string, code: string) => `${prefix}:admin-login-code:${digest(code)}`;

export async function issueLoginCode(
  redis: RedisConnection,
  prefix: string,
  entry: ApiTokenEntry,
): Promise<{ code: string; expiresAt: string }> {
  const code = randomBytes(18).toString('base64url');
  await redis.set(
    keyOf(prefix, code),
    JSON.stringify({ name: entry.name, tokenSha256: entry.sha256 }),
    'EX',
    LOGIN_CODE_TTL_SECONDS,
  );
  return { code, expiresAt: new Date(Date.now() + LOGIN_CODE_TTL_SECONDS * 1000).toISOString() };
}

/** The token entry a code stands for, once; null for an unknown, used or expired code. */
export async function redeemLoginCode(
  redis: RedisConnection,
  prefix: string,
  tokens: readonly ApiTokenEntry[],
  code: string,
): Promise<ApiTokenEntry | null> {
  const raw = await redis.getdel(keyOf(prefix, code));
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = stored.safeParse(value);
  if (!parsed.success) return null;
  // The token must still be configured: removing a token also voids its codes.
  return tokens.find((t) => t.name === parsed.data.name && t.sha256 === parsed.data.tokenSha256) ?? null;
}
