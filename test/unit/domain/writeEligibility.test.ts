import { describe, expect, it } from 'vitest';
import {
  decideWrite,
  SKIP_REASONS,
  type CandidateAtWrite,
  type RuleAtWrite,
  type SkipReason,
  type UserAtWrite,
  type WriteCheck,
} from '../../../shared/domain/writeEligibility.js';
import type { CandidateEvent } from '../../../shared/domain/candidateLifecycle.js';
import type { ReclaimAction } from '../../../shared/db/models/reclamationRule.model.js';
import { DAY_MS } from '../../../shared/domain/inactivity.js';

const now = new Date('2026-06-01T12:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

const rule = (overrides: Partial<RuleAtWrite> = {}): RuleAtWrite => ({
  id: 'rule-1',
  revision: 3,
  action: 'deactivate_user',
  enabled: true,
  thresholdDays: 60,
  graceDays: 30,
  deactivateNow: false,
  ...overrides,
});

/** A ready candidate approved for `action` under rule() as it stands. */
const candidate = (
  overrides: Partial<CandidateAtWrite> = {},
  action: ReclaimAction = 'deactivate_user',
): CandidateAtWrite => ({
  status: 'ready',
  ruleId: 'rule-1',
  action,
  approval: { ruleId: 'rule-1', ruleRevision: 3, action, deactivateNow: false },
  frozenAt: null,
  deactivateAfter: null,
  ...overrides,
});

/** Idle for 90 days, created 400 days ago: well past a 60-day threshold and a 30-day grace. */
const user = (overrides: Partial<UserAtWrite> = {}): UserAtWrite => ({
  isActive: true,
  isFrozen: false,
  lastLoginAt: ago(90),
  userCreatedAt: ago(400),
  ...overrides,
});

/** Frozen by us 20 days ago, deactivation due 10 days ago; the user still frozen, no login since. */
const frozenCandidate = (overrides: Partial<CandidateAtWrite> = {}) =>
  candidate({ status: 'frozen', frozenAt: ago(20), deactivateAfter: ago(10), ...overrides });
const frozenUser = (overrides: Partial<UserAtWrite> = {}) => user({ isFrozen: true, ...overrides });

const check = (overrides: Partial<WriteCheck> = {}): WriteCheck => ({
  candidate: candidate(),
  rule: rule(),
  stops: { global: false, profile: false, paused: false },
  user: user(),
  excluded: false,
  spared: null,
  now,
  ...overrides,
});

/** A check for a rule whose action is `action`, the candidate approved for it. */
const checkFor = (action: ReclaimAction, overrides: Partial<WriteCheck> = {}): WriteCheck =>
  check({ candidate: candidate({}, action), rule: rule({ action }), ...overrides });

const noStops = { global: false, profile: false, paused: false };

const SKIPS: Record<SkipReason, { when: string; check: WriteCheck; event: CandidateEvent | null }> = {
  reclaim_stopped_globally: {
    when: 'reclaim is stopped for every org',
    check: check({ stops: { ...noStops, global: true } }),
    event: null,
  },
  reclaim_stopped: {
    when: 'reclaim is stopped for the profile',
    check: check({ stops: { ...noStops, profile: true } }),
    event: null,
  },
  profile_paused: {
    when: 'the profile is paused',
    check: check({ stops: { ...noStops, paused: true } }),
    event: null,
  },
  approval_withdrawn: {
    when: 'the approval was withdrawn',
    check: check({ candidate: candidate({ status: 'withdrawn' }) }),
    event: null,
  },
  rule_removed: { when: 'the rule was removed', check: check({ rule: null }), event: 'skipped_ineligible' },
  rule_disabled: {
    when: 'the rule was disabled',
    check: check({ rule: rule({ enabled: false }) }),
    event: 'skipped_ineligible',
  },
  rule_changed: {
    when: 'the rule moved to a newer revision',
    check: check({ rule: rule({ revision: 4 }) }),
    event: 'skipped_unapproved',
  },
  user_not_found: {
    when: 'Salesforce no longer knows the user',
    check: check({ user: null }),
    event: 'skipped_ineligible',
  },
  excluded: {
    when: 'the user is now excluded',
    check: check({ excluded: true }),
    event: 'skipped_ineligible',
  },
  spared: {
    when: 'the user is now spared',
    check: check({ spared: 'api_only_user' }),
    event: 'skipped_ineligible',
  },
  logged_in_since: {
    when: 'the user logged in yesterday under a 60-day rule',
    check: check({ user: user({ lastLoginAt: ago(1) }) }),
    event: 'skipped_ineligible',
  },
  released: {
    when: 'a frozen user was released in Salesforce',
    check: check({ candidate: frozenCandidate(), user: frozenUser({ isFrozen: false }) }),
    event: 'skipped_ineligible',
  },
  in_grace: {
    when: 'a never-logged-in user is idle past a 7-day threshold but inside a 30-day grace',
    check: check({
      rule: rule({ thresholdDays: 7 }),
      user: user({ lastLoginAt: null, userCreatedAt: ago(10) }),
    }),
    event: 'skipped_ineligible',
  },
  already_inactive: {
    when: 'the user to deactivate is already inactive',
    check: check({ user: user({ isActive: false }) }),
    event: 'skipped_ineligible',
  },
  grace_not_over: {
    when: 'a frozen user is waiting for the deactivation date',
    check: check({ candidate: frozenCandidate({ deactivateAfter: later(5) }), user: frozenUser() }),
    event: null,
  },
};

describe('write eligibility: skip reasons', () => {
  it.each(SKIP_REASONS.map((reason) => [SKIPS[reason].when, reason, SKIPS[reason].event] as const))(
    'when %s, then it is skipped as %s with event %s',
    (_, reason, event) => {
      const decision = decideWrite(SKIPS[reason].check);
      expect(decision).toMatchObject({ write: false, reason, event });
    },
  );

  it('when the user is spared, then the spare reason is given as the detail', () => {
    expect(decideWrite(check({ spared: 'connected_user' }))).toEqual({
      write: false,
      reason: 'spared',
      event: 'skipped_ineligible',
      detail: 'connected_user',
    });
  });

  it('when another reason skips, then no detail is given', () => {
    expect(decideWrite(check({ excluded: true }))).toEqual({
      write: false,
      reason: 'excluded',
      event: 'skipped_ineligible',
    });
  });

  it.each(['pending', 'cancelled', 'reclaiming', 'reclaimed', 'failed', 'rejected', 'restored'] as const)(
    'when the candidate is %s, then nothing is written and it stays',
    (status) => {
      expect(decideWrite(check({ candidate: candidate({ status }) }))).toMatchObject({
        write: false,
        reason: 'approval_withdrawn',
        event: null,
      });
    },
  );
});

describe('write eligibility: the approval must cover the rule as it stands', () => {
  const unapproved = { write: false, reason: 'rule_changed', event: 'skipped_unapproved' };

  it('when the candidate has no approval, then it is skipped as unapproved', () => {
    expect(decideWrite(check({ candidate: candidate({ approval: null }) }))).toMatchObject(unapproved);
  });

  it('when the approval is for an older revision, then it is skipped as unapproved', () => {
    const approval = {
      ruleId: 'rule-1',
      ruleRevision: 2,
      action: 'deactivate_user' as const,
      deactivateNow: false,
    };
    expect(decideWrite(check({ candidate: candidate({ approval }) }))).toMatchObject(unapproved);
  });

  it('when the approval is for another action, then it is skipped as unapproved', () => {
    const approval = {
      ruleId: 'rule-1',
      ruleRevision: 3,
      action: 'freeze_user' as const,
      deactivateNow: false,
    };
    expect(decideWrite(check({ candidate: candidate({ approval }) }))).toMatchObject(unapproved);
  });

  it('when the approval is for another rule, then it is skipped as unapproved', () => {
    const approval = {
      ruleId: 'rule-0',
      ruleRevision: 3,
      action: 'deactivate_user' as const,
      deactivateNow: false,
    };
    expect(decideWrite(check({ candidate: candidate({ approval }) }))).toMatchObject(unapproved);
  });

  it('when the rule now takes another action than the approved one, then it is skipped as unapproved', () => {
    expect(decideWrite(check({ rule: rule({ action: 'remove_assignment' }) }))).toMatchObject(unapproved);
  });

  it('when the approval matches the rule but the candidate was computed for another action or rule, then it is skipped as unapproved', () => {
    expect(decideWrite(check({ candidate: candidate({ action: 'freeze_user' }) }))).toMatchObject(unapproved);
    expect(decideWrite(check({ candidate: candidate({ ruleId: 'rule-0' }) }))).toMatchObject(unapproved);
  });

  it('when the approval does not cover the rule and the user is also gone, then unapproved wins (back to pending)', () => {
    expect(decideWrite(check({ rule: rule({ revision: 4 }), user: null, excluded: true }))).toMatchObject(
      unapproved,
    );
  });
});

describe('write eligibility: precedence of the stop switches', () => {
  /** Everything else wrong at once: withdrawn, rule gone, user gone, excluded, spared. */
  const broken = {
    candidate: candidate({ status: 'withdrawn', approval: null }),
    rule: null,
    user: null,
    excluded: true,
    spared: 'api_only_user' as const,
  };

  it('when every stop is on and everything else is wrong too, then the global stop is the reason', () => {
    expect(decideWrite(check({ ...broken, stops: { global: true, profile: true, paused: true } }))).toEqual({
      write: false,
      reason: 'reclaim_stopped_globally',
      event: null,
    });
  });

  it('when the profile stop and pause are on, then the profile stop is the reason', () => {
    expect(decideWrite(check({ ...broken, stops: { global: false, profile: true, paused: true } }))).toEqual({
      write: false,
      reason: 'reclaim_stopped',
      event: null,
    });
  });

  it('when only the pause is on, then it precedes every other reason', () => {
    expect(decideWrite(check({ ...broken, stops: { global: false, profile: false, paused: true } }))).toEqual(
      {
        write: false,
        reason: 'profile_paused',
        event: null,
      },
    );
  });

  it('when a stop is on for a candidate that would otherwise be written, then nothing is written', () => {
    for (const stops of [
      { ...noStops, global: true },
      { ...noStops, profile: true },
      { ...noStops, paused: true },
    ]) {
      expect(decideWrite(check({ stops })).write).toBe(false);
      expect(decideWrite(check({ stops, candidate: frozenCandidate(), user: frozenUser() })).write).toBe(
        false,
      );
    }
  });
});

describe('write eligibility: first phase', () => {
  it('when a ready candidate of a deactivate rule is idle, then the user is frozen first by default', () => {
    expect(decideWrite(check())).toEqual({ write: true, phase: 'freeze' });
  });

  it('when both the approval and the rule say deactivate now, then the user is deactivated', () => {
    const approval = {
      ruleId: 'rule-1',
      ruleRevision: 3,
      action: 'deactivate_user' as const,
      deactivateNow: true,
    };
    expect(
      decideWrite(check({ candidate: candidate({ approval }), rule: rule({ deactivateNow: true }) })),
    ).toEqual({ write: true, phase: 'deactivate' });
  });

  it('when only the approval or only the rule says deactivate now, then the user is frozen first', () => {
    const approval = {
      ruleId: 'rule-1',
      ruleRevision: 3,
      action: 'deactivate_user' as const,
      deactivateNow: true,
    };
    expect(decideWrite(check({ candidate: candidate({ approval }) }))).toEqual({
      write: true,
      phase: 'freeze',
    });
    expect(decideWrite(check({ rule: rule({ deactivateNow: true }) }))).toEqual({
      write: true,
      phase: 'freeze',
    });
  });

  it('when the rule freezes, then the user is frozen, even with deactivate now on both sides', () => {
    expect(decideWrite(checkFor('freeze_user'))).toEqual({ write: true, phase: 'freeze' });
    const approval = {
      ruleId: 'rule-1',
      ruleRevision: 3,
      action: 'freeze_user' as const,
      deactivateNow: true,
    };
    expect(
      decideWrite(
        checkFor('freeze_user', {
          candidate: candidate({ approval }, 'freeze_user'),
          rule: rule({ action: 'freeze_user', deactivateNow: true }),
        }),
      ),
    ).toEqual({ write: true, phase: 'freeze' });
  });

  it('when the rule removes the assignment of an idle user, then the assignment is removed', () => {
    expect(decideWrite(checkFor('remove_assignment'))).toEqual({ write: true, phase: 'remove_assignment' });
  });

  it('when the rule removes the assignment of an inactive user, then it is removed whatever the last login', () => {
    for (const lastLoginAt of [ago(1), ago(90), null]) {
      const decision = decideWrite(
        checkFor('remove_assignment', {
          user: user({ isActive: false, lastLoginAt, userCreatedAt: ago(5) }),
        }),
      );
      expect(decision, String(lastLoginAt)).toEqual({ write: true, phase: 'remove_assignment' });
    }
  });

  it('when the rule removes the assignment of an active user who logged in yesterday, then it is skipped', () => {
    expect(decideWrite(checkFor('remove_assignment', { user: user({ lastLoginAt: ago(1) }) }))).toEqual({
      write: false,
      reason: 'logged_in_since',
      event: 'skipped_ineligible',
    });
  });

  it('when the last login is exactly at the threshold, then the user is inactive; a millisecond later, not', () => {
    expect(decideWrite(check({ user: user({ lastLoginAt: ago(60) }) }))).toEqual({
      write: true,
      phase: 'freeze',
    });
    const justAfter = new Date(ago(60).getTime() + 1);
    expect(decideWrite(check({ user: user({ lastLoginAt: justAfter }) }))).toMatchObject({
      write: false,
      reason: 'logged_in_since',
    });
    expect(decideWrite(checkFor('remove_assignment', { user: user({ lastLoginAt: ago(60) }) }))).toEqual({
      write: true,
      phase: 'remove_assignment',
    });
  });

  it('when a user never logged in, then idleness counts from creation, and exactly the grace period is past it', () => {
    const neverLoggedIn = user({ lastLoginAt: null, userCreatedAt: ago(60) });
    expect(decideWrite(check({ user: neverLoggedIn, rule: rule({ graceDays: 60 }) }))).toEqual({
      write: true,
      phase: 'freeze',
    });
    const youngerByAMillisecond = user({ lastLoginAt: null, userCreatedAt: new Date(ago(60).getTime() + 1) });
    expect(
      decideWrite(check({ user: youngerByAMillisecond, rule: rule({ thresholdDays: 59, graceDays: 60 }) })),
    ).toMatchObject({
      write: false,
      reason: 'in_grace',
    });
  });

  it('when the user of a freeze rule is already inactive, then it is skipped as already inactive', () => {
    expect(decideWrite(checkFor('freeze_user', { user: user({ isActive: false }) }))).toMatchObject({
      write: false,
      reason: 'already_inactive',
      event: 'skipped_ineligible',
    });
  });
});

describe('write eligibility: second phase (frozen, then deactivated)', () => {
  it('when the deactivation date has passed and the user is still frozen with no login since, then it is deactivated', () => {
    expect(decideWrite(check({ candidate: frozenCandidate(), user: frozenUser() }))).toEqual({
      write: true,
      phase: 'deactivate',
    });
  });

  it('when the deactivation date is exactly now, then it is deactivated', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate({ deactivateAfter: now }), user: frozenUser() })),
    ).toEqual({
      write: true,
      phase: 'deactivate',
    });
  });

  it('when a frozen user logged in after being frozen, then it is skipped as logged in since', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate(), user: frozenUser({ lastLoginAt: ago(15) }) })),
    ).toEqual({
      write: false,
      reason: 'logged_in_since',
      event: 'skipped_ineligible',
    });
  });

  it('when the last login is a moment before the freeze, then it is deactivated; a moment after, it is skipped', () => {
    const frozenAt = ago(20);
    const at = (ms: number) => frozenUser({ lastLoginAt: new Date(frozenAt.getTime() + ms) });
    expect(decideWrite(check({ candidate: frozenCandidate({ frozenAt }), user: at(-60_000) }))).toEqual({
      write: true,
      phase: 'deactivate',
    });
    expect(decideWrite(check({ candidate: frozenCandidate({ frozenAt }), user: at(1) }))).toMatchObject({
      write: false,
      reason: 'logged_in_since',
    });
  });

  it('when a frozen user was released in Salesforce, then it is skipped as released', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate(), user: frozenUser({ isFrozen: false }) })),
    ).toEqual({
      write: false,
      reason: 'released',
      event: 'skipped_ineligible',
    });
  });

  it('when the deactivation date is still ahead, then nothing is written and the candidate stays', () => {
    const waiting = frozenCandidate({ deactivateAfter: new Date(now.getTime() + 1) });
    expect(decideWrite(check({ candidate: waiting, user: frozenUser() }))).toEqual({
      write: false,
      reason: 'grace_not_over',
      event: null,
    });
  });

  it('when a frozen candidate has no deactivation date, then it keeps waiting', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate({ deactivateAfter: null }), user: frozenUser() })),
    ).toMatchObject({ write: false, reason: 'grace_not_over', event: null });
  });

  it('when the frozen user was deactivated meanwhile, then it is skipped as already inactive', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate(), user: frozenUser({ isActive: false }) })),
    ).toMatchObject({ write: false, reason: 'already_inactive', event: 'skipped_ineligible' });
  });

  it('when the rule changed while the user was frozen, then the deactivation is skipped as unapproved', () => {
    expect(
      decideWrite(check({ candidate: frozenCandidate(), rule: rule({ revision: 4 }), user: frozenUser() })),
    ).toMatchObject({ write: false, reason: 'rule_changed', event: 'skipped_unapproved' });
  });
});
