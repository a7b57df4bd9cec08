import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  daysInactive,
  graceCutoff,
  inactivityCutoff,
  isInactive,
  isWithinGrace,
} from '../../../shared/domain/inactivity.js';

const now = new Date('2026-06-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('inactivity', () => {
  it('when the user never logged in, then idleness counts from the creation date', () => {
    expect(daysInactive({ lastLoginAt: null, userCreatedAt: ago(75 * DAY_MS) }, now)).toBe(75);
  });

  it('when the user logged in, then idleness counts from the last login', () => {
    expect(daysInactive({ lastLoginAt: ago(3 * DAY_MS), userCreatedAt: ago(900 * DAY_MS) }, now)).toBe(3);
  });

  it('when the last login is exactly at the threshold, then the user is inactive; a millisecond later, not', () => {
    const created = ago(400 * DAY_MS);
    expect(isInactive({ lastLoginAt: ago(60 * DAY_MS), userCreatedAt: created }, 60, now)).toBe(true);
    expect(isInactive({ lastLoginAt: ago(60 * DAY_MS - 1), userCreatedAt: created }, 60, now)).toBe(false);
  });

  it('when the account is younger than the grace period, then it is in grace; exactly at it, not', () => {
    expect(isWithinGrace(ago(30 * DAY_MS - 1), 30, now)).toBe(true);
    expect(isWithinGrace(ago(30 * DAY_MS), 30, now)).toBe(false);
    expect(isWithinGrace(ago(0), 0, now)).toBe(false);
  });

  it('when cut-offs are computed, then they agree with the predicates at the boundary', () => {
    const cutoff = inactivityCutoff(60, now);
    expect(isInactive({ lastLoginAt: cutoff, userCreatedAt: ago(400 * DAY_MS) }, 60, now)).toBe(true);
    expect(isWithinGrace(graceCutoff(30, now), 30, now)).toBe(false);
  });

  it('when a login lies in the future (clock skew), then idleness is zero, not negative', () => {
    expect(
      daysInactive({ lastLoginAt: new Date(now.getTime() + DAY_MS), userCreatedAt: ago(DAY_MS) }, now),
    ).toBe(0);
  });
});
