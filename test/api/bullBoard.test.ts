import { Queue } from 'bullmq';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullBoardMount, type BullBoardMount } from '../../dashboard/bullBoard.js';
import { profileNamesFrom } from '../../dashboard/profileNames.js';
import { bindModels, type Models } from '../../shared/db/models.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { ROLE_TOKENS, startApi, type ApiHarness } from './apiHarness.js';
import { sha256Hex } from '../../api/http/auth.js';
import { ROLES } from '../../shared/config.js';
import { openTestDb, openTestRedis, type TestDb, type TestRedis } from '../helpers/services.js';

let api: ApiHarness;
let board: BullBoardMount;
let boardRedis: TestRedis;
let namesDb: TestDb;
let namesModels: Models;
beforeAll(async () => {
  boardRedis = await openTestRedis('board');
  namesDb = await openTestDb('boardnames');
  namesModels = bindModels(namesDb.connection);
  board = createBullBoardMount({
    connection: boardRedis.redis,
    prefix: boardRedis.prefix,
    tokens: ROLES.map((r) => ({ name: r, role: r, sha256: sha256Hex(ROLE_TOKENS[r]) })),
    profileNames: profileNamesFrom(namesModels, { freshForMs: 0 }),
  });
  api = await startApi({ mounts: [board] });
});
afterAll(async () => {
  await api?.close();
  await board?.close();
  await boardRedis?.cleanup();
  await namesDb?.drop();
});

async function postForm(path: string, form: string, origin: string | null) {
  return api.call('post', path, {
    token: null,
    rawBody: form,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin ? { origin } : {}),
    },
  });
}

/** Logs in like the admin pages' form does; returns the cookie to send back. */
async function logIn(token: string): Promise<string> {
  const res = await postForm('/admin/login', `token=${encodeURIComponent(token)}`, api.url);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/admin/');
  const cookie = res.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Path=\//);
  const jar = cookie.split(';')[0]!;
  expect(jar).not.toContain(token);
  expect(jar).toMatch(/^seatwise_session=[A-Za-z0-9_-]{43}$/);
  return jar;
}

describe('Bull Board', () => {
  it('when no or a viewer token is sent, then 401 and 403', async () => {
    expect((await api.call('get', '/admin/queues', { token: null })).status).toBe(401);
    expect((await api.call('get', '/admin/queues', { token: 'viewer' })).status).toBe(403);
  });

  it('when a browser opens the board without a session, then it is sent to the login form; a ?token= in the URL is not accepted', async () => {
    const page = await api.call('get', '/admin/queues', { token: null, headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/');
    const withToken = await api.call('get', `/admin/queues/api/queues?token=${ROLE_TOKENS.admin}`, {
      token: null,
    });
    expect(withToken.status).toBe(401);
    expect(withToken.headers.get('set-cookie')).toBeNull();
  });

  it('when an operator logs in with the form, then a strict HttpOnly cookie holding an opaque id opens a read-only board, and Redis holds no token', async () => {
    const jar = await logIn(ROLE_TOKENS.operator);
    const page = await api.call('get', '/admin/queues', { token: null, headers: { cookie: jar } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/html/);
    const queues = await api.call('get', '/admin/queues/api/queues', {
      token: null,
      headers: { cookie: jar },
    });
    const listed = (queues.json as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    expect(listed.map((q) => q.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(listed.every((q) => q.readOnlyMode)).toBe(true);
    const pause = await api.call('put', '/admin/queues/api/queues/pause', {
      token: null,
      headers: { cookie: jar, origin: api.url },
    });
    expect(pause.status).toBe(403);
    // Redis keeps the session under the id's hash, with a TTL, and nothing a token could be read from.
    const keys = await api.redis.redis.keys(`${api.config.redis.prefix}:admin-session:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(jar.split('=')[1]);
      const ttl = await api.redis.redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(api.config.api.sessionTtlSeconds);
      const value = (await api.redis.redis.get(key))!;
      for (const token of Object.values(ROLE_TOKENS)) expect(value).not.toContain(token);
    }
  });

  it('when the login form is posted with an unknown token or from another site, then no session is made', async () => {
    const unknown = await postForm('/admin/login', 'token=not-a-token', api.url);
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe('/admin/?login=failed');
    expect(unknown.headers.get('set-cookie')).toBeNull();
    const foreign = await postForm('/admin/login', `token=${ROLE_TOKENS.admin}`, 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const noOrigin = await postForm('/admin/login', `token=${ROLE_TOKENS.admin}`, null);
    expect(noOrigin.status).toBe(403);
  });

  it('when an admin’s session sends a state-changing request, then it passes from our origin and is refused from another', async () => {
    const jar = await logIn(ROLE_TOKENS.admin);
    const who = await api.call('get', '/admin/session', { token: null, headers: { cookie: jar } });
    expect(who.json).toEqual({ name: 'admin-user', role: 'admin' });
    const body = { displayName: 'Made through the session' };
    const foreign = await api.call('post', '/api/v1/profiles', {
      token: null,
      body,
      headers: { cookie: jar, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect((foreign.json as { code: string }).code).toBe('ORIGIN_REFUSED');
    const own = await api.call('post', '/api/v1/profiles', {
      token: null,
      body,
      headers: { cookie: jar, origin: api.url },
    });
    expect(own.status).toBe(201);
  });

  it('when the user logs out, then the cookie is cleared and the old session id opens nothing', async () => {
    const jar = await logIn(ROLE_TOKENS.operator);
    const out = await api.call('post', '/admin/logout', {
      token: null,
      headers: { cookie: jar, origin: api.url },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^seatwise_session=; .*Max-Age=0/);
    const after = await api.call('get', '/admin/queues/api/queues', {
      token: null,
      headers: { cookie: jar },
    });
    expect(after.status).toBe(401);
    expect((await api.call('get', '/admin/session', { token: null, headers: { cookie: jar } })).status).toBe(
      401,
    );
  });

  it('when an admin calls the board API, then the queues are writable', async () => {
    const queues = await api.call('get', '/admin/queues/api/queues', { token: 'admin' });
    expect(queues.status).toBe(200);
    expect(
      (queues.json as { queues: { readOnlyMode: boolean }[] }).queues.every((q) => !q.readOnlyMode),
    ).toBe(true);
  });

  it('when a profile’s jobs are queued, then the board names each job after the profile’s display name, and a rename shows on the next look', async () => {
    const profileId = new ObjectId();
    await namesModels.IntegrationProfile.collection.insertOne({ _id: profileId, displayName: 'Acme Sales' });
    const queue = new Queue(QUEUE_NAMES.validate, {
      connection: boardRedis.redis,
      prefix: boardRedis.prefix,
    });
    try {
      await queue.add('validate', { profileId: profileId.toHexString(), runId: 'run_board_names' });
      await queue.add('validate', { profileId: new ObjectId().toHexString(), runId: 'run_unknown_profile' });
      const names = async () => {
        const res = await api.call(
          'get',
          `/admin/queues/api/queues?activeQueue=${QUEUE_NAMES.validate}&status=waiting&page=1&jobsPerPage=10`,
          { token: 'operator' },
        );
        expect(res.status).toBe(200);
        const listed = (res.json as { queues: { name: string; jobs: { name: string }[] }[] }).queues;
        return (listed.find((q) => q.name === QUEUE_NAMES.validate)?.jobs ?? []).map((j) => j.name).sort();
      };
      expect(await names()).toEqual(['Acme Sales · validate', 'validate']);
      await namesModels.IntegrationProfile.collection.updateOne(
        { _id: profileId },
        { $set: { displayName: 'Acme Field Sales' } },
      );
      expect(await names()).toEqual(['Acme Field Sales · validate', 'validate']);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
