/** Checks the schemas cannot express alone: cron expressions, time zones, redirect URLs. */
import { CronExpressionParser } from 'cron-parser';

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** null when fine, else why not. */
export function cronProblem(cron: string, tz: string): string | null {
  if (cron.trim().split(/\s+/).length !== 5) return 'must have five fields (minute hour day month weekday)';
  try {
    CronExpressionParser.parse(cron, { tz: isValidTimezone(tz) ? tz : 'UTC' }).next();
    return null;
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message}`;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where Salesforce sends the browser back (our own callback, not a Salesforce host): https, or
 * http to loopback as Salesforce itself allows for callbacks; no credentials, query or fragment.
 */
export function redirectUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return null;
  return 'must use https (plain http only to loopback)';
}
