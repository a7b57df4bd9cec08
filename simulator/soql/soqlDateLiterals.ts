/** Relative date literals (TODAY, LAST_N_DAYS:n, …) as [start, end) ranges around the org's now, in UTC. */
import { DAY_MS, startOfUtcDay } from '../org/salesforceDates.js';

export interface DateRange {
  start: number;
  end: number;
}

function monthStart(ms: number, deltaMonths: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + deltaMonths, 1);
}

function yearStart(ms: number, deltaYears: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear() + deltaYears, 0, 1);
}

export function dateLiteralRange(name: string, n: number, nowMs: number): DateRange {
  const today = startOfUtcDay(nowMs);
  const tomorrow = today + DAY_MS;
  switch (name) {
    case 'TODAY':
      return { start: today, end: tomorrow };
    case 'YESTERDAY':
      return { start: today - DAY_MS, end: today };
    case 'TOMORROW':
      return { start: tomorrow, end: tomorrow + DAY_MS };
    // LAST_N_DAYS:n covers the past n days and all of today.
    case 'LAST_N_DAYS':
      return { start: today - n * DAY_MS, end: tomorrow };
    case 'LAST_90_DAYS':
      return { start: today - 90 * DAY_MS, end: tomorrow };
    case 'NEXT_N_DAYS':
      return { start: tomorrow, end: tomorrow + n * DAY_MS };
    case 'NEXT_90_DAYS':
      return { start: tomorrow, end: tomorrow + 90 * DAY_MS };
    case 'N_DAYS_AGO':
      return { start: today - n * DAY_MS, end: today - (n - 1) * DAY_MS };
    case 'THIS_MONTH':
      return { start: monthStart(nowMs, 0), end: monthStart(nowMs, 1) };
    case 'LAST_MONTH':
      return { start: monthStart(nowMs, -1), end: monthStart(nowMs, 0) };
    case 'THIS_YEAR':
      return { start: yearStart(nowMs, 0), end: yearStart(nowMs, 1) };
    default:
      return { start: yearStart(nowMs, -1), end: yearStart(nowMs, 0) };
  }
}
