/**
 * The savings and compliance table of one profile: per software model, seats used, active, owned,
 * reclaimable and reclaimed, the compliance position and the potential and realized savings.
 *
 * - used: the org's UsedLicenses as downloaded (Salesforce's own count, which already leaves out
 *   deactivated users' CPQ-family seats), else the seats seatwise saw held (feature licenses).
 * - active: seats of active users who logged in within the model's rule threshold (default 60 days
 *   for a model without a rule, the rules' own default).
 * - owned: entered by an admin, else the org's TotalLicenses; null when neither is known or the
 *   license is site-wide (Salesforce reports -1).
 */
import type { ObjectId } from 'mongodb';
import { Types } from 'mongoose';
import type { Models } from '../db/models.js';
import { compliancePosition, type CompliancePosition } from '../domain/compliance.js';
import {
  savingsOf,
  sumKnown,
  tallyCandidates,
  type CandidateFacts,
  type Savings,
} from '../domain/savings.js';
import { countActiveSeats, readCandidateFacts } from './seatFacts.js';

const DEFAULT_THRESHOLD_DAYS = 60;

export interface ModelSavingsRow {
  identifier: string;
  label: string;
  product: string;
  licenseType: string;
  used: number;
  active: number;
  owned: number | null;
  ownedSource: 'entered' | 'org' | null;
  orgTotalLicenses: number | null;
  thresholdDays: number;
  reclaimable: number;
  notFreeing: number;
  reclaimed: number;
  restored: number;
  pricePerSeatMonthMinor: number | null;
  compliance: CompliancePosition;
  potential: Savings | null;
  realized: Savings | null;
}

export interface SavingsTotals {
  used: number;
  active: number;
  reclaimable: number;
  reclaimed: number;
  underLicensed: number;
  overLicensed: number;
  trueUpMonthlyMinor: number | null;
  potentialMonthlyMinor: number | null;
  potentialAnnualMinor: number | null;
  realizedMonthlyMinor: number | null;
  realizedAnnualMinor: number | null;
}

export interface SavingsTable {
  profileId: string;
  currency: string | null;
  asOf: Date;
  syncId: string | null;
  models: ModelSavingsRow[];
  totals: SavingsTotals;
}

/**
 * Each model's inactivity threshold for the `active` column: its rule's, else the rules' default.
 * Pure, so a compute that counts active seats on its way uses exactly what the table would.
 */
export function seatThresholds(
  modelIdentifiers: Iterable<string>,
  rules: readonly { identifier: string; thresholdDays: number }[],
): Map<string, number> {
  const thresholds = new Map<string, number>();
  for (const identifier of modelIdentifiers) thresholds.set(identifier, DEFAULT_THRESHOLD_DAYS);
  for (const r of rules) if (thresholds.has(r.identifier)) thresholds.set(r.identifier, r.thresholdDays);
  return thresholds;
}

/** Active seats a caller counted already (a compute's pass over the summary), and of what. */
export interface CountedActiveSeats {
  syncId: string;
  thresholds: ReadonlyMap<string, number>;
  counts: ReadonlyMap<string, number>;
}

const sameThresholds = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) =>
  a.size === b.size && [...a].every(([identifier, days]) => b.get(identifier) === days);

export interface SavingsInputs {
  /** The profile's candidates when the caller holds them already (a compute, which just wrote them). */
  candidates?: Iterable<CandidateFacts>;
  /** Used only when of the active snapshot and the thresholds as they stand; counted again otherwise. */
  activeSeats?: CountedActiveSeats;
}

const ownedFromOrg = (total: number | null | undefined) =>
  typeof total === 'number' && total >= 0 ? total : null;

export async function buildSavingsTable(
  models: Models,
  profileId: string | ObjectId,
  now: Date,
  inputs: SavingsInputs = {},
): Promise<SavingsTable> {
  const { candidates, activeSeats } = inputs;
  const pid = new Types.ObjectId(String(profileId));
  const [profile, softwareModels, entitlements, pricing, rules] = await Promise.all([
    models.IntegrationProfile.findById(pid, { activeSyncId: 1 }).lean(),
    models.SoftwareModel.find({ profileId: pid }).sort({ identifier: 1 }).lean(),
    models.LicenseEntitlement.find({ profileId: pid }).lean(),
    models.ProfilePricing.findOne({ profileId: pid }).lean(),
    models.ReclamationRule.find({ profileId: pid }, { identifier: 1, thresholdDays: 1 }).lean(),
  ]);
  const syncId = profile?.activeSyncId ?? null;
  const entered = new Map(entitlements.map((e) => [e.identifier, e]));
  const thresholds = seatThresholds(
    softwareModels.map((m) => m.identifier),
    rules,
  );
  const counted =
    activeSeats && activeSeats.syncId === syncId && sameThresholds(activeSeats.thresholds, thresholds)
      ? activeSeats.counts
      : null;
  const [tallies, active] = await Promise.all([
    candidates ? tallyCandidates(candidates) : readCandidateFacts(models, pid).then(tallyCandidates),
    counted ?? (syncId ? countActiveSeats(models, pid, syncId, thresholds, now) : new Map<string, number>()),
  ]);

  const rows = softwareModels.map((m): ModelSavingsRow => {
    const e = entered.get(m.identifier);
    const orgTotal = ownedFromOrg(m.totalLicenses);
    const owned = e?.ownedSeats ?? orgTotal;
    const price = e?.pricePerSeatMonthMinor ?? null;
    const used = m.usedLicenses ?? m.assignedCount ?? 0;
    const t = tallies.get(m.identifier) ?? { reclaimable: 0, notFreeing: 0, reclaimed: 0, restored: 0 };
    return {
      identifier: m.identifier,
      label: m.label,
      product: m.product,
      licenseType: m.licenseType,
      used,
      active: active.get(m.identifier) ?? 0,
      owned,
      ownedSource: e?.ownedSeats != null ? 'entered' : orgTotal !== null ? 'org' : null,
      orgTotalLicenses: m.totalLicenses ?? null,
      thresholdDays: thresholds.get(m.identifier) ?? DEFAULT_THRESHOLD_DAYS,
      ...t,
      pricePerSeatMonthMinor: price,
      compliance: compliancePosition({ used, owned, priceMinor: price }),
      potential: savingsOf(t.reclaimable, price),
      realized: savingsOf(t.reclaimed, price),
    };
  });
  const sum = (f: (r: ModelSavingsRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  return {
    profileId: String(pid),
    currency: pricing?.currency ?? null,
    asOf: now,
    syncId,
    models: rows,
    totals: {
      used: sum((r) => r.used),
      active: sum((r) => r.active),
      reclaimable: sum((r) => r.reclaimable),
      reclaimed: sum((r) => r.reclaimed),
      underLicensed: rows.filter((r) => r.compliance.status === 'under_licensed').length,
      overLicensed: rows.filter((r) => r.compliance.status === 'over_licensed').length,
      trueUpMonthlyMinor: sumKnown(rows.map((r) => r.compliance.trueUpMonthlyMinor)),
      potentialMonthlyMinor: sumKnown(rows.map((r) => r.potential?.monthlyMinor ?? null)),
      potentialAnnualMinor: sumKnown(rows.map((r) => r.potential?.annualMinor ?? null)),
      realizedMonthlyMinor: sumKnown(rows.map((r) => r.realized?.monthlyMinor ?? null)),
      realizedAnnualMinor: sumKnown(rows.map((r) => r.realized?.annualMinor ?? null)),
    },
  };
}
