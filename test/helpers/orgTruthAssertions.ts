/**
 * The one comparison of a downloaded snapshot with the simulator's truth, shared by the download
 * tests and the crash tests: what a correct download knows, compared count by count.
 */
import { expect } from 'vitest';
import type { OrgTruth } from '../../simulator/server.js';

const DAY_MS = 86_400_000;

export interface TruthRow {
  userId: string;
  identifier: string;
  isActive: boolean;
  lastLoginAt: Date | null;
  goneAt: Date | null;
}

function bucket(lastLogin: Date | null, now: number): string {
  if (!lastLogin) return 'never';
  const days = (now - lastLogin.getTime()) / DAY_MS;
  if (days < 30) return 'last30Days';
  if (days < 90) return 'days30To90';
  return days < 365 ? 'days90To365' : 'over365Days';
}

/** No row twice; users per license (active / inactive); last-login buckets; every assignment. */
export function expectSubscriptionsMatchTruth(rows: readonly TruthRow[], truth: OrgTruth): void {
  const live = rows.filter((r) => r.goneAt === null);
  const keys = live.map((r) => `${r.userId}|${r.identifier}`);
  expect(new Set(keys).size).toBe(keys.length);
  const userRows = live.filter((r) => r.identifier.startsWith('UL:'));
  expect(new Set(userRows.map((r) => r.userId)).size).toBe(truth.users);
  for (const license of truth.licenses) {
    const holders = userRows.filter(
      (r) =>
        r.identifier === `UL:${license.licenseDefinitionKey}` ||
        (license.licenseDefinitionKey === 'SFDC' && r.identifier === 'UL:SFDC:ServiceCloud'),
    );
    expect({
      key: license.licenseDefinitionKey,
      active: holders.filter((r) => r.isActive).length,
      inactive: holders.filter((r) => !r.isActive).length,
    }).toEqual({
      key: license.licenseDefinitionKey,
      active: license.activeUsers,
      inactive: license.inactiveUsers,
    });
  }
  const now = Date.parse(truth.now);
  for (const state of ['active', 'inactive'] as const) {
    const counts: Record<string, number> = {
      never: 0,
      last30Days: 0,
      days30To90: 0,
      days90To365: 0,
      over365Days: 0,
    };
    for (const r of userRows.filter((x) => x.isActive === (state === 'active'))) {
      const b = bucket(r.lastLoginAt, now);
      counts[b] = (counts[b] ?? 0) + 1;
    }
    expect(counts).toEqual(truth.lastLogin[state]);
  }
  for (const psl of truth.permissionSetLicenses) {
    expect([psl.name, live.filter((r) => r.identifier === `PSL:${psl.name}`).length]).toEqual([
      psl.name,
      psl.assignments,
    ]);
  }
  for (const pkg of truth.packageLicenses) {
    expect([pkg.name, live.filter((r) => r.identifier === `PKG:${pkg.name}`).length]).toEqual([
      pkg.name,
      pkg.assignments,
    ]);
  }
  expect(live.filter((r) => r.identifier.startsWith('PSL:')).length).toBe(
    truth.permissionSetLicenseAssignments,
  );
  expect(live.filter((r) => r.identifier.startsWith('PKG:')).length).toBe(truth.packageLicenseAssignments);
  expect(live.filter((r) => r.identifier === 'FL:SupportUser' && r.isActive).length).toBe(
    truth.featureLicenses.supportUser,
  );
  expect(live.filter((r) => r.identifier === 'FL:MarketingUser' && r.isActive).length).toBe(
    truth.featureLicenses.marketingUser,
  );
  expect(live.filter((r) => r.identifier === 'UL:SFDC:ServiceCloud' && r.isActive).length).toBe(
    truth.featureLicenses.supportUser,
  );
}
