/**
 * How long a user has been idle. Activity is the last login; a user who never logged in is idle
 * since the account was created. Whole days, rounded down, so "60 days" means at least 60×24 hours.
 */
export const DAY_MS = 86_400_000;

export interface LoginFacts {
  lastLoginAt: Date | null;
  userCreatedAt: Date;
}

/** The moment the user was last active (last login, else creation). */
export function lastActivityAt(facts: LoginFacts): Date {
  return facts.lastLoginAt ?? facts.userCreatedAt;
}

export function daysInactive(facts: LoginFacts, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - lastActivityAt(facts).getTime()) / DAY_MS));
}

/** Idle for at least `thresholdDays` whole days (exactly at the threshold counts). */
export function isInactive(facts: LoginFacts, thresholdDays: number, now: Date): boolean {
  return daysInactive(facts, now) >= thresholdDays;
}

/** Accounts younger than `graceDays` are never candidates (exactly `graceDays` old is past grace). */
export function isWithinGrace(userCreatedAt: Date, graceDays: number, now: Date): boolean {
  return now.getTime() - userCreatedAt.getTime() < graceDays * DAY_MS;
}

/**
 * The latest activity instant that still counts as idle for `thresholdDays`; lets a database query
 * pre-select rows (`lastLoginAt <= cutoff`) with the same boundary as {@link isInactive}.
 */
export function inactivityCutoff(thresholdDays: number, now: Date): Date {
  return new Date(now.getTime() - thresholdDays * DAY_MS);
}

/** The latest creation instant that is past grace (`userCreatedAt <= cutoff`), as {@link isWithinGrace}. */
export function graceCutoff(graceDays: number, now: Date): Date {
  return new Date(now.getTime() - graceDays * DAY_MS);
}
