/**
 * The console's look-aheads through the api: a threshold simulation and an exclusion preview, read
 * from a stored download (packed summary) without any Salesforce call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { createSummaryWriter, packUser } from '../../shared/db/subscriptionSummary.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { seedRule, summaryUser } from './reclaimFixtures.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const SYNC = 'sync-simulation-1';

/** A user of this file's org: their own username domain, a Standard User profile. */
const user = (n: number, lastLoginDaysAgo: number | null, extra: Parameters<typeof summaryUser>[2] = {}) =>
  summaryUser(n, lastLoginDaysAgo, {
    username: `user${n}@sim.example.com`,
    profileName: 'Standard User',
    ...extra,
  });

/** Logins 10, 50, 100 and 200 days ago, one never, one integration user, one package seat. */
async function syncedProfile(name: string): Promise<{ id: string; ruleId: string }> {
  const created = await api.call('post', '/api/v1/profiles', { body: { displayName: name } });
  const id = (created.json as { id: string }).id;
  await api.models.IntegrationProfile.updateOne({ _id: id }, { $set: { activeSyncId: SYNC } });
  const writer = createSummaryWriter(snapshotOf(api.models, id, SYNC), 3);
  await writer.add(
    [
      user(1, 10),
      user(2, 50),
      user(3, 100),
      user(4, 200, { username: 'keep.me@sim.example.com' }),
      user(5, null),
      user(6, 300, { profileName: 'Minimum Access - API Only Integrations' }),
      user(7, 300, { identifier: 'PKG:SBQQ' }),
    ].map(packUser),
  );
  await writer.finish();
  const rule = await seedRule(api, id, { identifier: 'UL:SFDC', thresholdDays: 60, graceDays: 30 });
  return { id, ruleId: String(rule._id) };
}

describe('the threshold simulation', () => {
  it('when a 45-day threshold is simulated on a priced license, then it counts the idle seats, leaves out the spared and excluded, and prices the freed ones', async () => {
    const { id, ruleId } = await syncedProfile('Simulation priced');
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'EUR' } });
    await api.models.SoftwareModel.create({
      profileId: id,
      identifier: 'UL:SFDC',
      product: 'Sales Cloud',
      licenseType: 'user',
      label: 'Salesforce',
      totalLicenses: 10,
    });
    const priced = await api.call('put', `/api/v1/profiles/${id}/entitlements/UL%3ASFDC`, {
      body: { pricePerSeatMonthMinor: 16_500 },
    });
    expect(priced.status).toBe(200);
    await api.call('post', `/api/v1/profiles/${id}/exclusion-rules`, {
      body: { kind: 'username_pattern', value: 'keep.*' },
    });
    const res = await api.call(
      'get',
      `/api/v1/profiles/${id}/reclamation-rules/${ruleId}/simulation?thresholdDays=45`,
      { token: 'viewer' },
    );
    expect(res.status).toBe(200);
    // Idle ≥ 45 days: users 2, 3, 5 (never logged in, account 900 days old); 4 excluded; 6 spared.
    expect(res.json).toMatchObject({
      identifier: 'UL:SFDC',
      thresholdDays: 45,
      graceDays: 30,
      action: 'deactivate_user',
      syncId: SYNC,
      flaggedUsers: 3,
      freedSeats: 3,
      excluded: 1,
      spared: 1,
      currency: 'EUR',
      pricePerSeatMonthMinor: 16_500,
      monthlyMinor: 49_500,
    });
  });

  it('when the simulated action only freezes, then the seats are flagged but none is freed', async () => {
    const { id, ruleId } = await syncedProfile('Simulation freeze');
    const res = await api.call(
      'get',
      `/api/v1/profiles/${id}/reclamation-rules/${ruleId}/simulation?thresholdDays=150&action=freeze_user`,
    );
    expect(res.json).toMatchObject({ flaggedUsers: 2, freedSeats: 0, monthlyMinor: null });
  });

  it('when the profile has no download yet, then every count is zero', async () => {
    const created = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Simulation empty' } });
    const id = (created.json as { id: string }).id;
    const rule = await seedRule(api, id);
    const res = await api.call(
      'get',
      `/api/v1/profiles/${id}/reclamation-rules/${String(rule._id)}/simulation?thresholdDays=30`,
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ syncId: null, flaggedUsers: 0, freedSeats: 0 });
  });

  it('when the threshold is out of range, then the request is refused with the field named', async () => {
    const { id, ruleId } = await syncedProfile('Simulation invalid');
    const res = await api.call(
      'get',
      `/api/v1/profiles/${id}/reclamation-rules/${ruleId}/simulation?thresholdDays=0`,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('query.thresholdDays');
  });
});

describe('the exclusion preview', () => {
  it('when a username pattern is previewed, then the users it matches are counted and listed', async () => {
    const { id } = await syncedProfile('Preview pattern');
    const res = await api.call(
      'get',
      `/api/v1/profiles/${id}/exclusion-preview?kind=username_pattern&value=${encodeURIComponent('user1*')}`,
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      syncId: SYNC,
      matchedUsers: 1,
      sparedCandidates: 0,
      sample: [{ username: 'user1@sim.example.com', identifiers: ['UL:SFDC'] }],
    });
  });
});
