/** Stopping and resuming reclaim, per profile and globally: who may, what is stored, what is audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './apiHarness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string }[] };

async function newProfile(name: string): Promise<string> {
  const p = await api.call('post', '/api/v1/profiles', { body: { displayName: name } });
  return (p.json as { id: string }).id;
}

const auditFor = (filter: Record<string, unknown>) =>
  api.models.AuditEntry.find(filter).sort({ at: 1, _id: 1 }).lean();

describe('stopping a profile', () => {
  it('when an operator stops a profile, then the stop is stored with who, when and why, shown on the profile, and audited', async () => {
    const id = await newProfile('Stop me');
    const res = await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, {
      token: 'operator',
      body: { reason: 'wrong rule on Sales Cloud' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id,
      reclaimStop: { by: 'operator-user', reason: 'wrong rule on Sales Cloud', at: expect.any(String) },
    });
    const stored = await api.models.IntegrationProfile.findById(id).lean();
    expect(stored!.reclaimStop).toMatchObject({ by: 'operator-user', reason: 'wrong rule on Sales Cloud' });
    const read = await api.call('get', `/api/v1/profiles/${id}`, { token: 'viewer' });
    expect((read.json as { reclaimStop: unknown }).reclaimStop).toMatchObject({ by: 'operator-user' });
    const audit = await auditFor({ profileId: stored!._id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'stop',
      actor: 'operator-user',
      outcome: 'stopped',
      reason: 'wrong rule on Sales Cloud',
    });
  });

  it('when a stopped profile is stopped again, then the first stop stands and the second is audited as already stopped', async () => {
    const id = await newProfile('Stop twice');
    await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, {
      token: 'operator',
      body: { reason: 'first' },
    });
    const again = await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, {
      body: { reason: 'second' },
    });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ reclaimStop: { by: 'operator-user', reason: 'first' } });
    const audit = await auditFor({ action: 'stop', reason: 'second' });
    expect(audit.map((e) => [e.actor, e.outcome])).toEqual([['admin-user', 'already_stopped']]);
  });

  it('when an operator tries to resume, then 403 and the stop stays; an integrator resumes it and that is audited', async () => {
    const id = await newProfile('Resume me');
    await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, { token: 'operator' });
    const refused = await api.call('post', `/api/v1/profiles/${id}/reclaim/resume`, { token: 'operator' });
    expect(refused.status).toBe(403);
    expect((await api.models.IntegrationProfile.findById(id).lean())!.reclaimStop).not.toBeNull();
    const resumed = await api.call('post', `/api/v1/profiles/${id}/reclaim/resume`, {
      token: 'integrator',
      body: { reason: 'rule fixed' },
    });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ reclaimStop: null });
    expect((await api.models.IntegrationProfile.findById(id).lean())!.reclaimStop).toBeNull();
    const pid = (await api.models.IntegrationProfile.findById(id).lean())!._id;
    expect((await auditFor({ profileId: pid })).map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['stop', 'operator-user', 'stopped'],
      ['resume', 'integrator-user', 'resumed'],
    ]);
  });

  it('when three stops of one profile race, then exactly one is recorded as the stop and the others as already stopped', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await newProfile(`Race ${round}`);
      const tokens = ['admin', 'integrator', 'operator'] as const;
      const answers = await Promise.all(
        tokens.map((token) => api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, { token })),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      const pid = (await api.models.IntegrationProfile.findById(id).lean())!._id;
      const outcomes = (await auditFor({ profileId: pid })).map((e) => e.outcome).sort();
      expect(outcomes).toEqual(['already_stopped', 'already_stopped', 'stopped']);
      const stoppedBy = (await auditFor({ profileId: pid, outcome: 'stopped' }))[0]!.actor;
      expect((await api.models.IntegrationProfile.findById(id).lean())!.reclaimStop!.by).toBe(stoppedBy);
    }
  });

  it('when the body carries anything but a short reason, or the profile does not exist, then 400 or 404', async () => {
    const id = await newProfile('Bad stop');
    const extra = await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, {
      body: { reason: 'x', now: true },
    });
    expect((extra.json as Problem).errors!.map((e) => e.field)).toEqual(['body.now']);
    const long = await api.call('post', `/api/v1/profiles/${id}/reclaim/stop`, {
      body: { reason: 'r'.repeat(501) },
    });
    expect((long.json as Problem).errors!.map((e) => e.field)).toEqual(['body.reason']);
    expect((await api.models.IntegrationProfile.findById(id).lean())!.reclaimStop).toBeNull();
    const missing = await api.call('post', `/api/v1/profiles/${'b'.repeat(24)}/reclaim/stop`);
    expect(missing.status).toBe(404);
  });

  it('when the profile id arrives upper-cased, then it is refused (one canonical form) and nothing stops', async () => {
    const id = await newProfile('Upper case');
    const res = await api.call('post', `/api/v1/profiles/${id.toUpperCase()}/reclaim/stop`, {
      token: 'operator',
    });
    expect(res.status).toBe(400);
    expect((res.json as Problem).errors!.map((e) => e.field)).toEqual(['params.id']);
    expect((await api.models.IntegrationProfile.findById(id).lean())!.reclaimStop).toBeNull();
  });
});

describe('the global switch', () => {
  it('when nobody ever stopped reclaim, then the switch reads as running; a stop by an operator stops it and is audited without a profile', async () => {
    const before = await api.call('get', '/api/v1/reclaim/switch', { token: 'viewer' });
    expect(before.json).toEqual({ id: 'global', stopped: false, by: null, at: null, reason: null });
    const stop = await api.call('post', '/api/v1/reclaim/stop', {
      token: 'operator',
      body: { reason: 'incident 42' },
    });
    expect(stop.status).toBe(200);
    expect(stop.json).toMatchObject({
      id: 'global',
      stopped: true,
      by: 'operator-user',
      reason: 'incident 42',
    });
    const doc = await api.models.ReclaimSwitch.findById('global').lean();
    expect(doc).toMatchObject({ stopped: true, by: 'operator-user', reason: 'incident 42' });
    const again = await api.call('post', '/api/v1/reclaim/stop', { token: 'integrator' });
    expect(again.json).toMatchObject({ stopped: true, by: 'operator-user' });
    const audit = await auditFor({ profileId: null, action: 'stop' });
    expect(audit.map((e) => [e.actor, e.outcome])).toEqual([
      ['operator-user', 'stopped'],
      ['integrator-user', 'already_stopped'],
    ]);
  });

  it('when an integrator tries to resume the global switch, then 403; an admin resumes it, and the switch says who', async () => {
    await api.call('post', '/api/v1/reclaim/stop', { token: 'operator' });
    const refused = await api.call('post', '/api/v1/reclaim/resume', { token: 'integrator' });
    expect(refused.status).toBe(403);
    expect((await api.models.ReclaimSwitch.findById('global').lean())!.stopped).toBe(true);
    const resumed = await api.call('post', '/api/v1/reclaim/resume', { body: { reason: 'all clear' } });
    expect(resumed.json).toMatchObject({ stopped: false, by: 'admin-user', reason: 'all clear' });
    const read = await api.call('get', '/api/v1/reclaim/switch', { token: 'operator' });
    expect(read.json).toMatchObject({ stopped: false, by: 'admin-user' });
    const audit = await auditFor({ profileId: null, action: 'resume' });
    expect(audit.at(-1)).toMatchObject({ actor: 'admin-user', outcome: 'resumed', reason: 'all clear' });
    // Stopping again after a resume works (the switch document exists now, not stopped).
    const restop = await api.call('post', '/api/v1/reclaim/stop', { token: 'operator' });
    expect(restop.json).toMatchObject({ stopped: true, by: 'operator-user' });
  });
});
