import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueValidate } from '../../shared/pipeline/runs.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { openWorkerHarness, seedOrgProfile, waitFor, type WorkerHarness } from './workerHarness.js';

let sim: RunningSimulator;
let h: WorkerHarness;

beforeAll(async () => {
  sim = await startSimulator({
    quiet: true,
    orgs: [
      { users: 40 },
      { users: 20, clientCredentialsUser: false },
      { users: 20, tenantUsageEntitlement: false },
    ],
  });
  h = await openWorkerHarness('validate');
  await h.start(['validate']);
});

afterAll(async () => {
  await h.close();
  await sim.stop();
});

async function validate(profileId: string) {
  const { runId } = await enqueueValidate(h.pipeline, { profileId, requestedBy: 'admin' });
  const row = await waitFor('the validate JobRun to finish', async () => {
    const r = await h.models.JobRun.findById(`${runId}|validate`).lean();
    return r && ['succeeded', 'failed'].includes(r.status) ? r : null;
  });
  const profile = await h.models.IntegrationProfile.findById(profileId).lean();
  return { runId, row, validation: profile?.lastValidation };
}

describe('validate', () => {
  it('when the org grants everything, then every check passes, the tokens are stored sealed, and nothing changed in the org', async () => {
    const org = sim.orgs[0]!;
    const before = sim.admin.truth(org.orgId);
    const profileId = await seedOrgProfile(h, org);

    const { runId, row, validation } = await validate(profileId);

    expect(row.status).toBe('succeeded');
    expect(validation).toMatchObject({ runId, ok: true });
    expect(validation?.checks.map((c) => c.name)).toEqual([
      'token',
      'users',
      'userLicenses',
      'permissionSetLicenses',
      'permissionSetLicenseAssignments',
      'packageLicenses',
      'packageLicenseAssignments',
      'limits',
      'usageEntitlements',
      'reclaimDeactivate',
      'reclaimFreeze',
    ]);
    expect(validation?.checks.filter((c) => !c.ok)).toEqual([]);
    expect(validation?.checks.find((c) => c.name === 'users')?.detail).toContain(`${before.users} users`);
    expect(row.counts?.apiCalls).toBeGreaterThanOrEqual(9);
    const alias = await h.models.ConnectionAlias.findOne({ profileId }).lean();
    expect(alias?.tokens?.orgId).toBe(org.orgId);
    // Simulator access tokens start with the org id: stored sealed, it must not show.
    const sealed = alias!.tokens!.accessToken;
    expect(
      h.box.open(sealed, { aliasId: String(alias!._id), field: 'accessToken' }).startsWith(org.orgId),
    ).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain(org.orgId);
    expect(sim.admin.truth(org.orgId).activeUsers).toBe(before.activeUsers);
  });

  it('when the client secret is wrong, then the job succeeds with ok=false and the token check says to re-authorize', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[0]!, { clientSecret: 'not-the-secret' });
    const { row, validation } = await validate(profileId);
    expect(row.status).toBe('succeeded');
    expect(validation?.ok).toBe(false);
    const token = validation?.checks.find((c) => c.name === 'token');
    expect(token?.ok).toBe(false);
    expect(token?.detail).toMatch(/invalid_client/);
    expect(token?.detail).toMatch(/re-authorize/);
    expect(JSON.stringify(validation)).not.toContain('not-the-secret');
  });

  it('when the org refuses the grant (no client-credentials user), then the token check names the refusal', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[1]!);
    const { validation } = await validate(profileId);
    expect(validation?.ok).toBe(false);
    expect(validation?.checks).toHaveLength(1);
    expect(validation?.checks[0]).toMatchObject({ name: 'token', ok: false });
    expect(validation?.checks[0]?.detail).toMatch(/invalid_grant.*re-authorize/);
  });

  it('when the edition lacks usage-based entitlements, then that check passes as skipped and validation is ok', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[2]!);
    const { validation } = await validate(profileId);
    expect(validation?.ok).toBe(true);
    expect(validation?.checks.find((c) => c.name === 'usageEntitlements')).toEqual({
      name: 'usageEntitlements',
      ok: true,
      detail: 'not available in this edition (skipped)',
    });
  });

  it('when the profile has no alias, then validation fails its token check instead of the job failing', async () => {
    const profileId = await seedOrgProfile(h, sim.orgs[0]!, { withAlias: false });
    const { row, validation } = await validate(profileId);
    expect(row.status).toBe('succeeded');
    expect(validation?.checks[0]?.detail).toMatch(/PROFILE_HAS_NO_ALIAS|no connection alias/);
  });
});
