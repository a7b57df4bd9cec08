/**
 * Undo requests through the api: the ReclaimUndo record, the `reclaimUndo` job as it sits in real
 * Redis, the audit entry, and the snapshots an undo is checked against.
 */
import { Queue } from 'bullmq';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { candidateIdOf, seedCandidate, seedRule, seedSnapshot, userId } from './reclaimFixtures.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';

let api: ApiHarness;
let reclaimQueue: Queue;
let profileId = '';
let otherProfileId = '';

beforeAll(async () => {
  api = await startApi();
  reclaimQueue = new Queue(QUEUE_NAMES.reclaim, { connection: api.redis.redis, prefix: api.redis.prefix });
  const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Undo' } });
  profileId = (p.json as { id: string }).id;
  const o = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Undo other' } });
  otherProfileId = (o.json as { id: string }).id;
  await seedSnapshot(api, profileId, 'run_undo00000001', 1, 'freeze');
  await seedSnapshot(api, profileId, 'run_undo00000001', 2);
  await seedSnapshot(api, profileId, 'run_undo00000002', 3);
  await seedSnapshot(api, otherProfileId, 'run_undo00000009', 4);
});
afterAll(async () => {
  await reclaimQueue?.close();
  await api?.close();
});

type Undo = {
  id: string;
  status: string;
  requestedBy: string;
  scope: { runId: string | null; userIds?: string[] };
};
type Problem = { code: string; unknown?: string[]; errors?: { field: string }[] };
const undoPath = (id = profileId) => `/api/v1/profiles/${id}/undo`;

describe('undo requests', () => {
  it('when an undo of a run is requested, then a queued record is stored, its reclaimUndo job waits on the reclaim queue with ids only, and the request is audited', async () => {
    const res = await api.call('post', undoPath(), {
      token: 'integrator',
      body: { runId: 'run_undo00000001' },
    });
    expect(res.status).toBe(202);
    const undo = res.json as Undo;
    expect(undo).toMatchObject({
      status: 'queued',
      requestedBy: 'integrator-user',
      profileId,
      scope: { runId: 'run_undo00000001' },
    });
    const stored = await api.models.ReclaimUndo.findById(undo.id).lean();
    expect(stored).toMatchObject({ status: 'queued', requestedBy: 'integrator-user' });
    const job = await reclaimQueue.getJob(`undo-${undo.id}`);
    expect(job).toBeDefined();
    expect(job!.name).toBe('reclaimUndo');
    expect(job!.data).toEqual({ profileId, undoId: undo.id });
    expect(await job!.getState()).toBe('waiting');
    const audit = await api.models.AuditEntry.find({
      action: 'undo_requested',
      runId: 'run_undo00000001',
    }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'integrator-user',
      outcome: 'queued',
      evidence: { undoId: undo.id },
    });
    expect(String(audit[0]!.profileId)).toBe(profileId);
  });

  it('when an undo of users is requested with 15-character ids, then the scope holds their 18-character ids and each user gets an audit entry', async () => {
    const res = await api.call('post', undoPath(), {
      body: { userIds: [userId(2).slice(0, 15), userId(3), userId(3)] },
    });
    expect(res.status).toBe(202);
    const undo = res.json as Undo;
    expect(undo.scope).toEqual({ runId: null, userIds: [userId(2), userId(3)] });
    const job = await reclaimQueue.getJob(`undo-${undo.id}`);
    expect(job!.data).toEqual({ profileId, undoId: undo.id });
    const audit = await api.models.AuditEntry.find({ action: 'undo_requested', 'evidence.undoId': undo.id })
      .sort({ userId: 1 })
      .lean();
    expect(audit.map((e) => [e.userId, e.username])).toEqual([
      [userId(2), 'user2@example.com'],
      [userId(3), 'user3@example.com'],
    ]);
  });

  it('when no snapshot matches (another profile’s run, a user never reclaimed), then 404 names what is missing and nothing is recorded or queued', async () => {
    const undosBefore = await api.models.ReclaimUndo.countDocuments();
    const jobsBefore = await reclaimQueue.getJobCountByTypes('waiting');
    const run = await api.call('post', undoPath(), { body: { runId: 'run_undo00000009' } });
    expect(run.status).toBe(404);
    expect((run.json as Problem).errors!.map((e) => e.field)).toEqual(['body.runId']);
    const users = await api.call('post', undoPath(), {
      body: { userIds: [userId(1), userId(4), userId(5)] },
    });
    expect(users.status).toBe(404);
    expect((users.json as Problem).unknown).toEqual([userId(4), userId(5)]);
    expect(await api.models.ReclaimUndo.countDocuments()).toBe(undosBefore);
    expect(await reclaimQueue.getJobCountByTypes('waiting')).toBe(jobsBefore);
  });

  it('when the body is not exactly one of runId or userIds, or a user id is broken, or there are 1001 users, then 400 names the field; an operator gets 403', async () => {
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ runId: 'run_undo00000001', userIds: [userId(1)] }, 'body.userIds'],
      [{ userIds: [] }, 'body.userIds'],
      [{ userIds: Array.from({ length: 1001 }, (_, i) => userId(i)) }, 'body.userIds'],
      [{ userIds: ['005000000000001AAB'] }, 'body.userIds.0'],
      [{ runId: 'run:1' }, 'body.runId'],
      [{ runId: 'run_undo00000001', everything: true }, 'body.everything'],
    ];
    for (const [body, field] of cases) {
      const res = await api.call('post', undoPath(), { body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect((res.json as Problem).errors!.map((e) => e.field)).toEqual([field]);
    }
    const operator = await api.call('post', undoPath(), {
      token: 'operator',
      body: { runId: 'run_undo00000001' },
    });
    expect(operator.status).toBe(403);
  });

  it('when undos are listed and read, then newest first, filterable by status, and another profile’s undo is not found', async () => {
    const list = await api.call('get', `/api/v1/profiles/${profileId}/undos?limit=1`, { token: 'viewer' });
    const page = list.json as { items: Undo[]; total: number };
    expect(page.total).toBe(2);
    expect(page.items[0]!.scope.userIds).toEqual([userId(2), userId(3)]);
    const queued = await api.call('get', `/api/v1/profiles/${profileId}/undos?status=done`);
    expect((queued.json as { total: number }).total).toBe(0);
    const one = await api.call('get', `/api/v1/profiles/${profileId}/undos/${page.items[0]!.id}`, {
      token: 'viewer',
    });
    expect(one.json).toMatchObject({ id: page.items[0]!.id, status: 'queued' });
    const elsewhere = await api.call('get', `/api/v1/profiles/${otherProfileId}/undos/${page.items[0]!.id}`);
    expect(elsewhere.status).toBe(404);
    const unknown = await api.call(
      'get',
      `/api/v1/profiles/${profileId}/undos/${new Types.ObjectId().toHexString()}`,
    );
    expect(unknown.status).toBe(404);
  });
});

describe('reclaim snapshots', () => {
  it('when snapshots are listed, then only this profile’s, newest first, filterable by run and by user (either id form)', async () => {
    const all = await api.call('get', `/api/v1/profiles/${profileId}/reclaim-snapshots`, { token: 'viewer' });
    const page = all.json as { items: { userId: string; runId: string; phase: string }[]; total: number };
    expect(page.total).toBe(3);
    expect(page.items.map((s) => s.userId)).toEqual([userId(3), userId(2), userId(1)]);
    const run = await api.call(
      'get',
      `/api/v1/profiles/${profileId}/reclaim-snapshots?runId=run_undo00000001&sort=takenAt`,
    );
    expect((run.json as typeof page).items.map((s) => s.phase)).toEqual(['freeze', 'deactivate']);
    const user = await api.call(
      'get',
      `/api/v1/profiles/${profileId}/reclaim-snapshots?userId=${userId(2).slice(0, 15)}`,
    );
    expect((user.json as typeof page).items.map((s) => s.userId)).toEqual([userId(2)]);
    const bad = await api.call('get', `/api/v1/profiles/${profileId}/reclaim-snapshots?userId=nope`);
    expect(bad.status).toBe(400);
  });

  it('when a profile still holds a frozen user, then even a forced delete is refused (409) until the user is released; then its snapshots and undos go and its audit stays', async () => {
    const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Undo delete' } });
    const id = (p.json as { id: string }).id;
    const rule = await seedRule(api, id);
    await seedCandidate(api, id, 40, 'frozen', rule);
    await seedSnapshot(api, id, 'run_undo00000040', 40, 'freeze');
    await api.call('post', undoPath(id), { body: { runId: 'run_undo00000040' } });
    const auditBefore = await api.models.AuditEntry.countDocuments({ profileId: id });

    const refused = await api.call('delete', `/api/v1/profiles/${id}?force=true`);
    expect(refused.status).toBe(409);
    expect((refused.json as Problem).code).toBe('PROFILE_HOLDS_USERS');
    expect(await api.models.ReclaimSnapshot.countDocuments({ profileId: id })).toBe(1);

    await candidatesOf(api.models, id).updateOne(
      { _id: candidateIdOf(id, 40) },
      { $set: { status: 'restored' } },
    );
    const deleted = await api.call('delete', `/api/v1/profiles/${id}?force=true`);
    expect(deleted.status).toBe(204);
    expect(await api.models.ReclaimSnapshot.countDocuments({ profileId: id })).toBe(0);
    expect(await api.models.ReclaimUndo.countDocuments({ profileId: id })).toBe(0);
    expect(await api.models.AuditEntry.countDocuments({ profileId: id })).toBe(auditBefore);
    expect(auditBefore).toBeGreaterThan(0);
  });
});
