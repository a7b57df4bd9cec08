import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullBoardMount, type BullBoardMount } from '../../dashboard/bullBoard.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { ROLE_TOKENS, startApi, type ApiHarness } from './apiHarness.js';
import { sha256Hex } from '../../api/http/auth.js';
import { ROLES } from '../../shared/config.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';

let api: ApiHarness;
let board: BullBoardMount;
let boardRedis: TestRedis;
beforeAll(async () => {
  boardRedis = await openTestRedis('board');
  board = createBullBoardMount({
    connection: boardRedis.redis,
    prefix: boardRedis.prefix,
    tokens: ROLES.map((r) => ({ name: r, role: r, sha256: sha256Hex(ROLE_TOKENS[r]) })),
  });
  api = await startApi({ mounts: [board] });
});
afterAll(async () => {
  await api?.close();
  await board?.close();
  await boardRedis?.cleanup();
});

describe('Bull Board', () => {
  it('when no or a viewer token is sent, then 401 and 403', async () => {
    expect((await api.call('get', '/admin/queues', { token: null })).status).toBe(401);
    expect((await api.call('get', '/admin/queues', { token: 'viewer' })).status).toBe(403);
  });

  it('when an operator opens ?token=, then a strict HttpOnly cookie is set, the token leaves the URL and the board lists every queue read-only', async () => {
    const first = await api.call('get', `/admin/queues?token=${ROLE_TOKENS.operator}`, { token: null });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/queues');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    const jar = cookie.split(';')[0]!;
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
      headers: { cookie: jar },
    });
    expect(pause.status).toBe(403);
  });

  it('when an admin calls the board API, then the queues are writable', async () => {
    const queues = await api.call('get', '/admin/queues/api/queues', { token: 'admin' });
    expect(queues.status).toBe(200);
    expect(
      (queues.json as { queues: { readOnlyMode: boolean }[] }).queues.every((q) => !q.readOnlyMode),
    ).toBe(true);
  });
});
