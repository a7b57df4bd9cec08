import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runs from '../../shared/pipeline/runs.js';
import { aliasInput, type ApiHarness, fakeStoredTokens, startApi } from './apiHarness.js';

/** Fault injection: the real pipeline, except that starting a run fails (the compensation path). */
const failingPipeline = {
  ...runs,
  scheduleProfile: async () => undefined,
  unscheduleProfile: async () => undefined,
  startRun: async () => {
    throw new Error('queue unavailable');
  },
};

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ pipeline: failingPipeline });
});
afterAll(async () => {
  await api?.close();
});

type Problem = { code: string; errors?: { field: string; message: string }[] };
const fieldsOf = (json: unknown) => ((json as Problem).errors ?? []).map((e) => e.field);

async function profileWithAlias(name: string, aliasExtra: Record<string, unknown> = {}) {
  const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput(`${name} alias`, aliasExtra) });
  const aliasId = (alias.json as { id: string }).id;
  const profile = await api.call('post', '/api/v1/profiles', { body: { displayName: name, aliasId } });
  return { aliasId, profileId: (profile.json as { id: string }).id };
}

/** An authorized alias and a recorded validation, with the change times a case needs. */
async function recordValidation(
  ids: { profileId: string; aliasId: string },
  v: { runId: string; ok: boolean; at: Date; aliasChangedAt: Date; profileChangedAt: Date },
): Promise<void> {
  await api.models.ConnectionAlias.updateOne(
    { _id: ids.aliasId },
    { $set: { tokens: fakeStoredTokens(), configChangedAt: v.aliasChangedAt } },
  );
  await api.models.IntegrationProfile.updateOne(
    { _id: ids.profileId },
    {
      $set: {
        configChangedAt: v.profileChangedAt,
        lastValidation: { runId: v.runId, ok: v.ok, at: v.at, checks: [] },
      },
    },
  );
}

describe('validate and publish', () => {
  it('when the profile has no alias, then validate answers 422 naming profile.aliasId', async () => {
    const p = await api.call('post', '/api/v1/profiles', { body: { displayName: 'No alias' } });
    const res = await api.call('post', `/api/v1/profiles/${(p.json as { id: string }).id}/validate`);
    expect(res.status).toBe(422);
    expect(fieldsOf(res.json)).toEqual(['profile.aliasId']);
  });

  it('when the alias has neither secret nor tokens, then validate answers 422 naming both', async () => {
    const { profileId } = await profileWithAlias('Bare', { clientSecret: undefined });
    const res = await api.call('post', `/api/v1/profiles/${profileId}/validate`, { token: 'integrator' });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'PREREQUISITE_MISSING' });
    expect(fieldsOf(res.json).sort()).toEqual(['alias.clientSecret', 'alias.tokens']);
  });

  it('when the last validation is older than an alias change, then publish is refused with VALIDATION_REQUIRED', async () => {
    const { profileId, aliasId } = await profileWithAlias('Stale');
    await recordValidation(
      { profileId, aliasId },
      {
        runId: 'run-00000001',
        ok: true,
        at: new Date(Date.now() - 60_000),
        aliasChangedAt: new Date(),
        profileChangedAt: new Date(Date.now() - 120_000),
      },
    );
    const res = await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: 'VALIDATION_REQUIRED' });
  });

  it('when a failed validation is the last one, then publish is refused', async () => {
    const { profileId, aliasId } = await profileWithAlias('Failed validation');
    await recordValidation(
      { profileId, aliasId },
      {
        runId: 'run-00000002',
        ok: false,
        at: new Date(),
        aliasChangedAt: new Date(0),
        profileChangedAt: new Date(0),
      },
    );
    const res = await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    expect(res.status).toBe(409);
    expect((res.json as { detail: string }).detail).toMatch(/failed/);
  });

  it('when starting the first run fails during publish, then the profile is left a draft', async () => {
    const { profileId, aliasId } = await profileWithAlias('Compensated');
    await recordValidation(
      { profileId, aliasId },
      {
        runId: 'run-00000003',
        ok: true,
        at: new Date(),
        aliasChangedAt: new Date(0),
        profileChangedAt: new Date(0),
      },
    );
    const res = await api.call('post', `/api/v1/profiles/${profileId}/publish`);
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'INTERNAL' });
    expect(res.text).not.toContain('queue unavailable');
    expect((await api.models.IntegrationProfile.findById(profileId).lean())?.status).toBe('draft');
  });

  it('when an action without a body is sent fields, then 400 names them and nothing starts', async () => {
    const { profileId } = await profileWithAlias('Extra fields');
    const res = await api.call('post', `/api/v1/profiles/${profileId}/validate`, { body: { force: true } });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.json)).toEqual(['body.force']);
    expect(await api.models.JobRun.countDocuments({ profileId })).toBe(0);
  });

  it('when a draft is re-synced or paused, then 409 says it is not published', async () => {
    const { profileId } = await profileWithAlias('Draft sync');
    const sync = await api.call('post', `/api/v1/profiles/${profileId}/sync`, { token: 'operator' });
    expect(sync.status).toBe(409);
    expect(sync.json).toMatchObject({ code: 'NOT_PUBLISHED' });
    expect((await api.call('post', `/api/v1/profiles/${profileId}/pause`)).status).toBe(409);
  });
});
