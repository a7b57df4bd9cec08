/** Validate, publish, re-sync, pause and forced delete through the real pipeline (BullMQ on Redis). */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidatesOf, profileCollectionNames } from '../../shared/db/profileCollections.js';
import { snapshotCollectionNames, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { aliasInput, type ApiHarness, fakeStoredTokens, startApi } from './apiHarness.js';

let api: ApiHarness;
let queues: Queue[];
beforeAll(async () => {
  api = await startApi();
  queues = Object.values(QUEUE_NAMES).map(
    (name) => new Queue(name, { connection: api.redis.redis, prefix: api.redis.prefix }),
  );
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await api?.close();
});

async function schedulers(): Promise<number> {
  const counts = await Promise.all(queues.map((q) => q.getJobSchedulersCount()));
  return counts.reduce((a, b) => a + b, 0);
}

/** A profile whose alias has a secret and (stand-in) tokens, as after OAuth. */
async function readyProfile(name: string) {
  const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput(`${name} alias`) });
  const aliasId = (alias.json as { id: string }).id;
  await api.models.ConnectionAlias.updateOne(
    { _id: aliasId },
    {
      $set: {
        authStatus: 'authorized',
        configChangedAt: new Date(Date.now() - 60_000),
        tokens: fakeStoredTokens(),
      },
    },
  );
  const profile = await api.call('post', '/api/v1/profiles', { body: { displayName: name, aliasId } });
  const profileId = (profile.json as { id: string }).id;
  await api.models.IntegrationProfile.updateOne(
    { _id: profileId },
    { $set: { configChangedAt: new Date(Date.now() - 60_000) } },
  );
  return profileId;
}

/** What the worker's validate job writes when it passes. */
async function markValidated(profileId: string) {
  await api.models.IntegrationProfile.updateOne(
    { _id: profileId },
    { $set: { lastValidation: { runId: 'run-validated', ok: true, at: new Date(), checks: [] } } },
  );
}

describe('the pipeline through the api', () => {
  it('when a ready profile is validated, then 202 returns the run and its JobRun is recorded as queued', async () => {
    const profileId = await readyProfile('Validate me');
    const res = await api.call('post', `/api/v1/profiles/${profileId}/validate`, { token: 'integrator' });
    expect(res.status).toBe(202);
    const { runId } = res.json as { runId: string };
    const runs = await api.call('get', `/api/v1/profiles/${profileId}/runs?trigger=validate`, {
      token: 'viewer',
    });
    expect((runs.json as { items: { runId: string; status: string }[] }).items).toMatchObject([
      { runId, status: 'queued' },
    ]);
  });

  it('when a validated profile is published, then it is published, scheduled and its first run recorded; a re-sync joins that run', async () => {
    const profileId = await readyProfile('Publish me');
    await markValidated(profileId);
    const before = await schedulers();
    const res = await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    expect(res.status).toBe(202);
    const body = res.json as { profile: { status: string }; runId: string; coalesced: boolean };
    expect(body.profile.status).toBe('published');
    expect(body.coalesced).toBe(false);
    expect(await schedulers()).toBe(before + 1);
    const runs = await api.models.JobRun.find({ profileId, runId: body.runId }).lean();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.trigger === 'publish')).toBe(true);
    const sync = await api.call('post', `/api/v1/profiles/${profileId}/sync`, { token: 'operator' });
    expect(sync.status).toBe(202);
    expect(sync.json).toEqual({ runId: body.runId, coalesced: true });
    const again = await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    expect(again.status).toBe(409);

    const paused = await api.call('post', `/api/v1/profiles/${profileId}/pause`);
    expect(paused.json).toMatchObject({ status: 'paused' });
    expect(await schedulers()).toBe(before);
  });

  it('when a published profile is force-deleted by an admin, then its scheduler, waiting jobs and data go', async () => {
    const profileId = await readyProfile('Force me');
    await markValidated(profileId);
    const before = await schedulers();
    await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    await api.call('post', `/api/v1/profiles/${profileId}/exclusion-rules`, {
      body: { kind: 'user_id', value: '005x' },
    });
    // What a finished run leaves: the profile's own subscriptions and candidates collections.
    const snapshot = snapshotOf(api.models, profileId, 'sync1');
    await snapshot.users.insertOne({ _id: '0051' } as never);
    await snapshot.summaries.insertOne({ _id: 0, users: '[]' });
    await candidatesOf(api.models, profileId).collection.insertOne({ _id: 'x|0051|UL:SFDC' as never });
    const res = await api.call('delete', `/api/v1/profiles/${profileId}?force=true`);
    expect(res.status).toBe(204);
    expect(await schedulers()).toBe(before);
    expect(await api.models.IntegrationProfile.countDocuments({ _id: profileId })).toBe(0);
    expect(await api.models.ExclusionRule.countDocuments({ profileId })).toBe(0);
    const names = [...profileCollectionNames(profileId), ...snapshotCollectionNames(profileId, 'sync1')];
    const left = await api.models.IntegrationProfile.db.db
      ?.listCollections({ name: { $in: names } })
      .toArray();
    expect(left).toEqual([]);
    const waiting = (
      await Promise.all(queues.map((q) => q.getJobs(['waiting', 'waiting-children', 'delayed'])))
    )
      .flat()
      .filter((j) => (j.data as { profileId?: string }).profileId === profileId);
    expect(waiting).toEqual([]);
  });
});
