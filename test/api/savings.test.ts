/**
 * Entitlements, compliance and savings through the api, on data as a sync leaves it: software
 * models with the org's totals, subscription rows of the current download, removal candidates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteReadChange } from '../../shared/pipeline/readGenerations.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { packUser } from '../../shared/db/subscriptionSummary.js';
import { recordSavingsPoint } from '../../shared/savings/savingsHistory.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { seedCandidate, seedRule, summaryUser, type SeededRule } from './reclaimFixtures.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const SYNC = 'sync-savings-1';

async function seedRow(
  profileId: string,
  n: number,
  row: {
    identifier?: string;
    isActive?: boolean;
    lastLoginDaysAgo: number | null;
    email?: string | null;
    federationId?: string | null;
  },
) {
  const identifier = row.identifier ?? 'UL:SFDC';
  const summary = summaryUser(n, row.lastLoginDaysAgo, {
    identifier,
    username: `user${n}@${profileId}.example.com`,
    email: row.email ?? null,
    federationId: row.federationId ?? null,
    isActive: row.isActive ?? true,
  });
  // One user document per seeded seat (each seeded user holds one license), and the user in the
  // snapshot's summary beside it, as a download writes both.
  const snapshot = snapshotOf(api.models, profileId, SYNC);
  await snapshot.summaries.insertOne({ _id: n, users: `[${packUser(summary)}]` });
  await snapshot.users.insertOne({
    _id: summary.userId,
    username: summary.username,
    isActive: summary.isActive,
    lastLoginAt: summary.lastLoginAt,
    userCreatedAt: summary.userCreatedAt,
    identifiers: [identifier],
    user: packUser(summary),
  });
}

/** A profile after a sync: UL:SFDC 12 used of 10, a package 2 of 5, a 30-day rule, candidates. */
async function syncedProfile(name: string): Promise<{ id: string; rule: SeededRule }> {
  const created = await api.call('post', '/api/v1/profiles', { body: { displayName: name } });
  const id = (created.json as { id: string }).id;
  await api.models.IntegrationProfile.updateOne({ _id: id }, { $set: { activeSyncId: SYNC } });
  await api.models.SoftwareModel.create([
    {
      profileId: id,
      identifier: 'UL:SFDC',
      product: 'Sales Cloud',
      licenseType: 'user',
      label: 'Salesforce',
      totalLicenses: 10,
      usedLicenses: 12,
    },
    {
      profileId: id,
      identifier: 'PKG:SBQQ',
      product: 'CPQ',
      licenseType: 'package',
      label: '=HYPERLINK("x")',
      totalLicenses: 5,
      usedLicenses: 2,
    },
  ]);
  const rule = await seedRule(api, id, { identifier: 'UL:SFDC', thresholdDays: 30 });
  await seedRow(id, 1, { lastLoginDaysAgo: 5 }); // active
  await seedRow(id, 2, { lastLoginDaysAgo: 40 }); // idle beyond the 30-day threshold
  await seedRow(id, 3, { lastLoginDaysAgo: 1, isActive: false }); // deactivated
  await seedRow(id, 4, { lastLoginDaysAgo: 29, identifier: 'PKG:SBQQ' }); // within the default 60 days
  let n = 1;
  for (const status of ['pending', 'ready', 'reclaimed', 'restored', 'rejected', 'cancelled'] as const) {
    await seedCandidate(api, id, n++, status, rule);
  }
  return { id, rule };
}

interface Row {
  identifier: string;
  used: number;
  active: number;
  owned: number | null;
  ownedSource: string | null;
  reclaimable: number;
  reclaimed: number;
  restored: number;
  compliance: { status: string; difference: number | null; trueUpMonthlyMinor: number | null };
  potential: { monthlyMinor: number; annualMinor: number } | null;
  realized: { monthlyMinor: number; annualMinor: number } | null;
}
interface Table {
  currency: string | null;
  models: Row[];
  totals: Record<string, number | null>;
}

async function tableOf(id: string): Promise<Table> {
  const res = await api.call('get', `/api/v1/profiles/${id}/savings`, { token: 'viewer' });
  expect(res.status).toBe(200);
  return res.json as Table;
}
const rowOf = (t: Table, identifier: string) => t.models.find((m) => m.identifier === identifier) as Row;
const sfdc = encodeURIComponent('UL:SFDC');

describe('entitlements, compliance and savings', () => {
  it('when an integrator sets EUR and 150.00 a seat, then the table shows used, active, owned, the under-licensed position and the savings in cents', async () => {
    const { id } = await syncedProfile('Savings one');
    const before = rowOf(await tableOf(id), 'UL:SFDC');
    expect(before).toMatchObject({
      used: 12,
      active: 1,
      owned: 10,
      ownedSource: 'org',
      reclaimable: 2,
      reclaimed: 1,
    });
    expect(before.potential).toBeNull();

    expect(
      (
        await api.call('put', `/api/v1/profiles/${id}/currency`, {
          token: 'integrator',
          body: { currency: 'EUR' },
        })
      ).status,
    ).toBe(200);
    const put = await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      token: 'integrator',
      body: { pricePerSeatMonthMinor: 15_000 },
    });
    expect(put.status).toBe(200);

    const t = await tableOf(id);
    expect(t.currency).toBe('EUR');
    const row = rowOf(t, 'UL:SFDC');
    expect(row.compliance).toMatchObject({
      status: 'under_licensed',
      difference: 2,
      trueUpMonthlyMinor: 30_000,
    });
    expect(row.potential).toEqual({ monthlyMinor: 30_000, annualMinor: 360_000 });
    expect(row.realized).toEqual({ monthlyMinor: 15_000, annualMinor: 180_000 });
    expect(rowOf(t, 'PKG:SBQQ')).toMatchObject({
      active: 1,
      compliance: { status: 'over_licensed', difference: -3 },
    });
    expect(t.totals).toMatchObject({
      potentialMonthlyMinor: 30_000,
      realizedMonthlyMinor: 15_000,
      underLicensed: 1,
      overLicensed: 1,
    });
  });

  it('when the admin enters owned seats, then they win over the org total; null gives the org total back', async () => {
    const { id } = await syncedProfile('Savings owned');
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      token: 'admin',
      body: { ownedSeats: 20 },
    });
    expect(rowOf(await tableOf(id), 'UL:SFDC')).toMatchObject({
      owned: 20,
      ownedSource: 'entered',
      compliance: { status: 'over_licensed', difference: -8 },
    });
    const list = await api.call('get', `/api/v1/profiles/${id}/entitlements`, { token: 'viewer' });
    expect(
      (list.json as { items: { identifier: string; ownedSeats: number | null; orgTotalLicenses: number }[] })
        .items,
    ).toContainEqual(
      expect.objectContaining({ identifier: 'UL:SFDC', ownedSeats: 20, orgTotalLicenses: 10 }),
    );
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      token: 'admin',
      body: { ownedSeats: null },
    });
    expect(rowOf(await tableOf(id), 'UL:SFDC')).toMatchObject({ owned: 10, ownedSource: 'org' });
  });

  it('when a reclaim is undone, then its realized saving is lost again', async () => {
    const { id } = await syncedProfile('Savings undo');
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'USD' } });
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { pricePerSeatMonthMinor: 9_999 },
    });
    expect(rowOf(await tableOf(id), 'UL:SFDC').realized?.monthlyMinor).toBe(9_999);
    await candidatesOf(api.models, id).updateMany({ status: 'reclaimed' }, { $set: { status: 'restored' } });
    // What the end of the run that undid it does in a worker; the api shows it within its cache's limit.
    await noteReadChange(api.redis.redis, api.redis.prefix, { profileId: id, hard: false });
    await expect
      .poll(async () => rowOf(await tableOf(id), 'UL:SFDC').realized?.monthlyMinor, { timeout: 3_000 })
      .toBe(0);
    const row = rowOf(await tableOf(id), 'UL:SFDC');
    expect(row.realized?.monthlyMinor).toBe(0);
    expect(row.restored).toBe(2);
  });

  it('when input is wrong, then the api refuses it: a price before a currency, a made-up currency, a currency change under prices, a viewer writing', async () => {
    const { id } = await syncedProfile('Savings refusals');
    const price = () =>
      api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
        body: { pricePerSeatMonthMinor: 100 },
      });
    expect((await price()).json).toMatchObject({ code: 'PREREQUISITE_MISSING' });
    const bad = await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'EURO' } });
    expect(bad.status).toBe(400);
    const cents = await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { pricePerSeatMonthMinor: 1.5 },
    });
    expect(cents.status).toBe(400);
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'EUR' } });
    expect((await price()).status).toBe(200);
    const change = await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'GBP' } });
    expect(change.status).toBe(409);
    expect(change.json).toMatchObject({ code: 'PRICED_IN_OTHER_CURRENCY' });
    const unknown = await api.call(
      'put',
      `/api/v1/profiles/${id}/entitlements/${encodeURIComponent('UL:NOPE')}`,
      { body: { ownedSeats: 1 } },
    );
    expect(unknown.status).toBe(404);
    const viewer = await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      token: 'viewer',
      body: { ownedSeats: 1 },
    });
    expect(viewer.status).toBe(403);
  });

  it('when the table is exported, then the CSV has the figures, amounts as decimals and a formula-looking label neutralized', async () => {
    const { id } = await syncedProfile('Savings csv');
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'EUR' } });
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { pricePerSeatMonthMinor: 15_000 },
    });
    const res = await api.call('get', `/api/v1/profiles/${id}/savings.csv`, { token: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^identifier,label,product,licenseType,used,active,owned/);
    expect(lines).toContain(
      'UL:SFDC,Salesforce,Sales Cloud,user,12,1,10,org,2,under_licensed,2,1,1,EUR,150.00,300.00,300.00,3600.00,150.00,1800.00',
    );
    expect(lines.find((l) => l.startsWith('PKG:SBQQ'))).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines.find((l) => l.startsWith('PKG:SBQQ'))).toContain(',-3,over_licensed,');
  });

  it('when a compute hands over the active seats it counted, then its point uses them only if they are of the active snapshot and of the thresholds as they stand', async () => {
    const { id } = await syncedProfile('Counted seats');
    const at = new Date();
    const seat = 'UL:SFDC';
    const thresholds = new Map([
      [seat, 30],
      ['PKG:SBQQ', 60],
    ]);
    const counts = new Map([[seat, 7]]);
    const record = (runId: string, syncId: string, used: ReadonlyMap<string, number>) =>
      recordSavingsPoint(api.models, id, runId, at, { activeSeats: { syncId, thresholds: used, counts } });
    await record('run_same', SYNC, thresholds);
    await record('run_older_sync', 'sync_before', thresholds);
    await record('run_rule_changed', SYNC, new Map([...thresholds, [seat, 90]]));
    const activeIn = async (runId: string) =>
      (await api.models.SavingsHistory.findOne({ profileId: id, runId }).lean())?.models.find(
        (m) => m.identifier === seat,
      )?.active;
    // 7 is what was handed over; 1 is what the summary holds (one user in the last 30 days).
    expect([
      await activeIn('run_same'),
      await activeIn('run_older_sync'),
      await activeIn('run_rule_changed'),
    ]).toEqual([7, 1, 1]);
  });

  it('when two computeCandidates runs finished, then the history has a point each, oldest first, and exports as CSV', async () => {
    const { id } = await syncedProfile('Savings history');
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'EUR' } });
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { pricePerSeatMonthMinor: 1_000 },
    });
    await recordSavingsPoint(api.models, id, 'run_one', new Date('2026-11-01T03:00:00Z'));
    await candidatesOf(api.models, id).updateMany({ status: 'ready' }, { $set: { status: 'reclaimed' } });
    await recordSavingsPoint(api.models, id, 'run_two', new Date('2026-11-02T03:00:00Z'));
    await recordSavingsPoint(api.models, id, 'run_two', new Date('2026-11-02T03:00:00Z')); // a retried job
    const res = await api.call('get', `/api/v1/profiles/${id}/savings/history?identifier=${sfdc}`, {
      token: 'viewer',
    });
    const page = res.json as {
      total: number;
      items: { runId: string; models: { reclaimed: number; realizedMonthlyMinor: number }[] }[];
    };
    expect(page.total).toBe(2);
    expect(
      page.items.map((p) => [p.runId, p.models[0]?.reclaimed, p.models[0]?.realizedMonthlyMinor]),
    ).toEqual([
      ['run_one', 1, 1_000],
      ['run_two', 2, 2_000],
    ]);
    const csv = await api.call('get', `/api/v1/profiles/${id}/savings/history.csv?identifier=${sfdc}`, {
      token: 'viewer',
    });
    expect(csv.text.trim().split('\r\n')).toEqual([
      'at,runId,identifier,label,used,active,owned,reclaimable,reclaimed,currency,pricePerSeatMonth,potentialMonthly,realizedMonthly',
      expect.stringMatching(
        /^2026-11-01T03:00:00.000Z,run_one,UL:SFDC,Salesforce,12,\d,10,2,1,EUR,10.00,20.00,10.00$/,
      ),
      expect.stringMatching(
        /^2026-11-02T03:00:00.000Z,run_two,UL:SFDC,Salesforce,12,\d,10,1,2,EUR,10.00,10.00,20.00$/,
      ),
    ]);
  });

  it('when the same person (email in another case) holds seats in two orgs, then they are listed once with the cost of both', async () => {
    const a = await syncedProfile('Savings people A');
    const b = await syncedProfile('Savings people B');
    for (const [p, price] of [
      [a.id, 15_000],
      [b.id, 5_000],
    ] as const) {
      await api.call('put', `/api/v1/profiles/${p}/currency`, { body: { currency: 'EUR' } });
      await api.call('put', `/api/v1/profiles/${p}/entitlements/${sfdc}`, {
        body: { pricePerSeatMonthMinor: price },
      });
    }
    await seedRow(a.id, 50, { lastLoginDaysAgo: 1, email: 'Dana@Example.com' });
    await seedRow(b.id, 51, { lastLoginDaysAgo: 1, email: 'dana@example.com' });
    await seedRow(b.id, 52, { lastLoginDaysAgo: 1, email: 'someone.else@example.com' });
    const res = await api.call('get', '/api/v1/people/across-orgs', { token: 'viewer' });
    expect(res.status).toBe(200);
    const page = res.json as {
      items: {
        emails: string[];
        orgCount: number;
        monthlyCostMinor: Record<string, number>;
        accounts: { profileName: string }[];
      }[];
    };
    const dana = page.items.filter((p) => p.emails.includes('dana@example.com'));
    expect(dana).toHaveLength(1);
    expect(dana[0]).toMatchObject({ orgCount: 2, monthlyCostMinor: { EUR: 20_000 } });
    expect(dana[0]?.accounts.map((x) => x.profileName).sort()).toEqual([
      'Savings people A',
      'Savings people B',
    ]);
    expect(page.items.some((p) => p.emails.includes('someone.else@example.com'))).toBe(false);
    const csv = await api.call('get', '/api/v1/people/across-orgs.csv', { token: 'viewer' });
    expect(csv.text).toContain(',Savings people A,');
    expect(csv.text).toContain('dana@example.com,,2,200.00 EUR,');
  });

  it('when the currency, owned seats and a price are set, then the audit trail says who changed what from which value', async () => {
    const { id } = await syncedProfile('Savings audited');
    await api.call('put', `/api/v1/profiles/${id}/currency`, { body: { currency: 'USD' } });
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { ownedSeats: 10, pricePerSeatMonthMinor: 15_000 },
      token: 'integrator',
    });
    await api.call('put', `/api/v1/profiles/${id}/entitlements/${sfdc}`, {
      body: { ownedSeats: 10, pricePerSeatMonthMinor: 12_500 },
    });
    const audit = await api.call('get', `/api/v1/profiles/${id}/audit?limit=10`, { token: 'viewer' });
    const items = (audit.json as { items: { action: string; actor: string; evidence: unknown }[] }).items;
    expect(items.map((e) => [e.action, e.actor, e.evidence])).toEqual([
      ['currency_set', 'admin-user', { currency: { from: null, to: 'USD' } }],
      [
        'entitlement_set',
        'integrator-user',
        {
          identifier: 'UL:SFDC',
          ownedSeats: { from: null, to: 10 },
          pricePerSeatMonthMinor: { from: null, to: 15_000 },
        },
      ],
      // Only what changed: the owned seats were sent again unchanged.
      [
        'entitlement_set',
        'admin-user',
        { identifier: 'UL:SFDC', pricePerSeatMonthMinor: { from: 15_000, to: 12_500 } },
      ],
    ]);
  });

  it('when one person has another email in each org but the same federation id, then they are listed once under it', async () => {
    const a = await syncedProfile('Savings federated A');
    const b = await syncedProfile('Savings federated B');
    await seedRow(a.id, 60, { lastLoginDaysAgo: 1, email: 'lee@corp.example', federationId: 'E-4711' });
    await seedRow(b.id, 61, {
      lastLoginDaysAgo: 1,
      email: 'lee.w@subsidiary.example',
      federationId: 'E-4711',
    });
    const res = await api.call('get', '/api/v1/people/across-orgs', { token: 'viewer' });
    const page = res.json as { items: { emails: string[]; federationIds: string[]; orgCount: number }[] };
    const lee = page.items.filter((p) => p.federationIds.includes('E-4711'));
    expect(lee).toHaveLength(1);
    expect(lee[0]?.orgCount).toBe(2);
    expect(lee[0]?.emails.sort()).toEqual(['lee.w@subsidiary.example', 'lee@corp.example']);
  });
});
