/** One-time login codes: issued through the api for the caller's own token, accepted once by the console's login form. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './apiHarness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const logIn = (code: string) =>
  api.call('post', '/admin/login', {
    token: null,
    rawBody: `token=${encodeURIComponent(code)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: api.url },
  });

describe('one-time login codes', () => {
  it('when an integrator asks for a code and the form is posted with it, then the session is the integrator’s, and the code does not work twice', async () => {
    const issued = await api.call('post', '/api/v1/login-codes', { token: 'integrator' });
    expect(issued.status).toBe(201);
    const { code, expiresAt } = issued.json as { code: string; expiresAt: string };
    expect(code).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    // Redis holds the code's digest only.
    const keys = await api.redis.redis.keys(`${api.config.redis.prefix}:admin-login-code:*`);
    expect(keys.some((k) => k.includes(code))).toBe(false);

    const first = await logIn(code);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/');
    const jar = first.headers.get('set-cookie')!.split(';')[0]!;
    const who = await api.call('get', '/admin/session', { token: null, headers: { cookie: jar } });
    expect(who.json).toEqual({ name: expect.any(String), role: 'integrator' });

    const again = await logIn(code);
    expect(again.headers.get('location')).toBe('/admin/?login=failed');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('when a viewer or operator asks for a code, then it is refused', async () => {
    expect((await api.call('post', '/api/v1/login-codes', { token: 'viewer' })).status).toBe(403);
    expect((await api.call('post', '/api/v1/login-codes', { token: 'operator' })).status).toBe(403);
  });
});
