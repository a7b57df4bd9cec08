/**
 * The compliance position of one license: seats used against seats owned.
 *
 * `used − owned` > 0 is under-licensed (more seats in use than bought: the vendor's next audit or
 * renewal bills the difference, the true-up); < 0 is over-licensed (seats paid for and unassigned).
 * The true-up exposure is stated per month and per year of the seat price. seatwise does not know a
 * seat license's renewal date (Salesforce does not expose it), so it does not guess remaining months.
 */
import { timesMinor } from './money.js';

export type ComplianceStatus = 'under_licensed' | 'over_licensed' | 'balanced' | 'unknown';

export interface SeatCounts {
  used: number;
  /** null: not known (no TotalLicenses and none entered) or unlimited (a site-wide package). */
  owned: number | null;
  /** Per seat per month, in minor units; null until an admin enters one. */
  priceMinor: number | null;
}

export interface CompliancePosition {
  status: ComplianceStatus;
  /** used − owned; null when owned is not known. */
  difference: number | null;
  /** Seats in use beyond those owned: max(0, used − owned). */
  shortfall: number;
  /** Seats owned and not in use: max(0, owned − used). */
  unassigned: number;
  /** shortfall × price; null without a price (or without owned seats). */
  trueUpMonthlyMinor: number | null;
  trueUpAnnualMinor: number | null;
}

export function compliancePosition({ used, owned, priceMinor }: SeatCounts): CompliancePosition {
  if (owned === null) {
    return {
      status: 'unknown',
      difference: null,
      shortfall: 0,
      unassigned: 0,
      trueUpMonthlyMinor: null,
      trueUpAnnualMinor: null,
    };
  }
  const difference = used - owned;
  const shortfall = Math.max(0, difference);
  const monthly = priceMinor === null ? null : timesMinor(shortfall, priceMinor);
  return {
    status: difference > 0 ? 'under_licensed' : difference < 0 ? 'over_licensed' : 'balanced',
    difference,
    shortfall,
    unassigned: Math.max(0, -difference),
    trueUpMonthlyMinor: monthly,
    trueUpAnnualMinor: monthly === null ? null : timesMinor(12, monthly),
  };
}
