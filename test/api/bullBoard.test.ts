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
