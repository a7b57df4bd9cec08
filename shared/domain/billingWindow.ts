/**
 * The current billing window of a usage-based entitlement (TenantUsageEntitlement).
 *
 * `StartDate` is when the entitlement began and `EndDate` when the contract ends ("based on license
 * end dates that entitle the org to that setting"); `Frequency` is how often usage is reviewed
 * against `CurrentAmountAllowed`: Daily, Weekly, Fortnightly, Monthly, Quarterly, Yearly or Once.
 * The window is the period of that length, counted from StartDate, that holds `asOf`; Once is the
 * whole contract. Windows are half-open [start, end) in UTC; Salesforce dates are whole days, so a
 * contract ending on EndDate ends at the next midnight, and the last window is cut there.
 * Salesforce does not say how a month counts from the 31st: we keep the start's day of month and
 * clamp it to shorter months (Jan 31 → Feb 28 → Mar 31), as billing systems usually do.
 */
import { DAY_MS } from './inactivity.js';

export const USAGE_FREQUENCIES = [
  'Daily',
  'Weekly',
  'Fortnightly',
  'Monthly',
  'Quarterly',
  'Yearly',
  'Once',
] as const;
export type UsageFrequency = (typeof USAGE_FREQUENCIES)[number];

export interface BillingWindow {
  start: Date;
  /** Exclusive: the first moment after the window. null: Once without a contract end. */
  end: Date | null;
  /** asOf is past the contract end: this is the last window, already closed. */
  contractEnded: boolean;
}

const FIXED_DAYS: Partial<Record<UsageFrequency, number>> = { Daily: 1, Weekly: 7, Fortnightly: 14 };
const MONTHS: Partial<Record<UsageFrequency, number>> = { Monthly: 1, Quarterly: 3, Yearly: 12 };

export function isUsageFrequency(value: string): value is UsageFrequency {
  return (USAGE_FREQUENCIES as readonly string[]).includes(value);
}

/** `start` plus `months` calendar months, keeping its day of month where the month has it. */
export function addMonthsClamped(start: Date, months: number): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return new Date(Date.UTC(y, m, day) + (start.getTime() % DAY_MS));
}

/** The start of period `n` (0-based) counted from `start`. */
function periodStart(start: Date, frequency: UsageFrequency, n: number): Date {
  const days = FIXED_DAYS[frequency];
  if (days !== undefined) return new Date(start.getTime() + n * days * DAY_MS);
  return addMonthsClamped(start, n * (MONTHS[frequency] ?? 0));
}

/**
 * The window holding `asOf`, or null when there is no start date or the frequency is not one
 * Salesforce lists (the row is then shown without a window rather than with a made-up one).
 * Before the start date, the first window; after the contract end, the last one.
 */
export function billingWindow(input: {
  startDate: Date | null;
  /** EndDate as Salesforce gives it: the contract's last day (inclusive). */
  endDate: Date | null;
  frequency: string | null;
  asOf: Date;
}): BillingWindow | null {
  const { startDate, endDate, frequency, asOf } = input;
  if (!startDate || !frequency || !isUsageFrequency(frequency)) return null;
  const contractEnd = endDate ? new Date(endDate.getTime() + DAY_MS) : null;
  const contractEnded = contractEnd !== null && asOf.getTime() >= contractEnd.getTime();
  const at = contractEnded && contractEnd ? new Date(contractEnd.getTime() - 1) : asOf;
  if (frequency === 'Once') return { start: startDate, end: contractEnd, contractEnded };
  // An estimate of the period index, then corrected: months differ in length.
  const days = FIXED_DAYS[frequency];
  const approxMs = days !== undefined ? days * DAY_MS : (MONTHS[frequency] ?? 1) * 30.436875 * DAY_MS;
  let n = Math.max(0, Math.floor((at.getTime() - startDate.getTime()) / approxMs));
  while (n > 0 && periodStart(startDate, frequency, n).getTime() > at.getTime()) n -= 1;
  while (periodStart(startDate, frequency, n + 1).getTime() <= at.getTime()) n += 1;
  const start = periodStart(startDate, frequency, n);
  let end = periodStart(startDate, frequency, n + 1);
  if (contractEnd && end.getTime() > contractEnd.getTime()) end = contractEnd;
  return { start, end, contractEnded };
}
