import { describe, expect, it } from 'vitest';
import {
  isStale,
  reconcile,
  type Assessment,
  type CurrentRule,
  type ExistingCandidate,
} from '../../../shared/domain/candidateReconcile.js';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';

const OPEN: CandidateStatus[] = ['pending', 'ready', 'withdrawn', 'failed'];
/** Statuses computeCandidates never moves (no `no_longer_matches`, no `rule_changed`). */
const UNTOUCHED: CandidateStatus[] = ['reclaiming', 'frozen', 'reclaimed', 'rejected', 'restored'];

const rule = (overrides: Partial<CurrentRule> = {}): CurrentRule => ({
  id: 'rule-1',
  revision: 3,
  action: 'deactivate_user',
  requiresApproval: true,
  ...overrides,
});

/** A candidate computed, and approved, under rule() exactly as it stands. */
const candidate = (
  status: CandidateStatus,
  overrides: Partial<ExistingCandidate> = {},
): ExistingCandidate => ({
  status,
  ruleId: 'rule-1',
  ruleRevision: 3,
  action: 'deactivate_user',
  approval: { ruleId: 'rule-1', ruleRevision: 3, action: 'deactivate_user' },
  ...overrides,
});

const matches: Assessment = { matches: true };
const noLonger = (reason: string): Assessment => ({ matches: false, reason });

/** The ways a candidate can have been computed or approved under something other than rule(). */
const STALE: [string, Partial<ExistingCandidate>][] = [
  [
    'the rule revision changed',
    { ruleRevision: 2, approval: { ruleId: 'rule-1', ruleRevision: 2, action: 'deactivate_user' } },
  ],
  [
    'the action changed',
    { action: 'freeze_user', approval: { ruleId: 'rule-1', ruleRevision: 3, action: 'freeze_user' } },
  ],
  [
    'the rule id changed',
    { ruleId: 'rule-0', approval: { ruleId: 'rule-0', ruleRevision: 3, action: 'deactivate_user' } },
  ],
  [
    'the approval was given under an older revision',
    { approval: { ruleId: 'rule-1', ruleRevision: 2, action: 'deactivate_user' } },
  ],
  [
    'the approval was given for another action',
    { approval: { ruleId: 'rule-1', ruleRevision: 3, action: 'remove_assignment' } },
  ],
];

describe('candidate reconcile: staleness', () => {
  it('when the candidate and its approval match the rule as it stands, then it is not stale', () => {
    expect(isStale(candidate('ready'), rule())).toBe(false);
    expect(isStale(candidate('pending', { approval: null }), rule())).toBe(false);
  });

  it.each(STALE)('when %s, then the candidate is stale', (_, overrides) => {
    expect(isStale(candidate('ready', overrides), rule())).toBe(true);
  });

  it('when only requiresApproval differs, then the candidate is not stale (the revision says it)', () => {
    expect(isStale(candidate('ready'), rule({ requiresApproval: false }))).toBe(false);
  });
});

describe('candidate reconcile: no longer matching', () => {
  it.each(OPEN)('when a %s candidate no longer matches, then it is cancelled with the reason', (status) => {
    expect(reconcile(candidate(status), rule(), noLonger('recently_active'))).toEqual({
      status: 'cancelled',
      events: ['no_longer_matches'],
      approval: 'clear',
      reason: 'recently_active',
    });
  });

  it.each(['cancelled', ...UNTOUCHED] as CandidateStatus[])(
    'when a %s candidate no longer matches, then nothing moves',
    (status) => {
      expect(reconcile(candidate(status), rule(), noLonger('excluded'))).toBeNull();
    },
  );

  it.each(OPEN)(
    'when a %s candidate matches but its rule is gone, then it is cancelled as rule_removed',
    (status) => {
      expect(reconcile(candidate(status), null, matches)).toEqual({
        status: 'cancelled',
        events: ['no_longer_matches'],
        approval: 'clear',
        reason: 'rule_removed',
      });
    },
  );

  it('when the rule is gone and the assessment gives a reason, then the assessment reason is kept', () => {
    expect(reconcile(candidate('ready'), null, noLonger('gone'))?.reason).toBe('gone');
  });

  it.each(['cancelled', ...UNTOUCHED] as CandidateStatus[])(
    'when a %s candidate matches but its rule is gone, then nothing moves',
    (status) => {
      expect(reconcile(candidate(status), null, matches)).toBeNull();
    },
  );
});

describe('candidate reconcile: still matching the same rule', () => {
  it.each(OPEN)(
    'when a %s candidate still matches the same revision and action, then its status stays',
    (status) => {
      expect(reconcile(candidate(status), rule(), matches)).toBeNull();
      expect(reconcile(candidate(status), rule({ requiresApproval: false }), matches)).toBeNull();
    },
  );

  it.each(UNTOUCHED)('when a %s candidate still matches, then its status stays', (status) => {
    expect(reconcile(candidate(status), rule(), matches)).toBeNull();
  });

  it('when a cancelled candidate matches again under a rule needing approval, then it is pending with no approval', () => {
    expect(reconcile(candidate('cancelled', { approval: null }), rule(), matches)).toEqual({
      status: 'pending',
      events: ['matched_needs_approval'],
      approval: 'clear',
      reason: null,
    });
  });

  it('when a cancelled candidate matches again under a rule needing no approval, then it is ready, approved by the rule', () => {
    expect(
      reconcile(candidate('cancelled', { approval: null }), rule({ requiresApproval: false }), matches),
    ).toEqual({
      status: 'ready',
      events: ['matched_preapproved'],
      approval: 'rule',
      reason: null,
    });
  });

  it('when a cancelled candidate matches again under a changed rule, then it re-matches (no rule_changed step)', () => {
    const stale = candidate('cancelled', { ruleRevision: 1, approval: null });
    expect(reconcile(stale, rule({ revision: 4 }), matches)?.events).toEqual(['matched_needs_approval']);
    expect(reconcile(stale, rule({ revision: 4, requiresApproval: false }), matches)?.status).toBe('ready');
  });
});

describe('candidate reconcile: the rule changed', () => {
  for (const status of OPEN) {
    it.each(STALE)(
      `when %s under a rule needing approval, then a ${status} candidate is pending with its approval cleared`,
      (_, overrides) => {
        expect(reconcile(candidate(status, overrides), rule(), matches)).toEqual({
          status: 'pending',
          events: ['rule_changed'],
          approval: 'clear',
          reason: 'rule_changed',
        });
      },
    );
  }

  for (const status of ['pending', 'ready', 'failed'] as CandidateStatus[]) {
    it.each(STALE)(
      `when %s under a rule needing no approval, then a ${status} candidate is ready, approved by the rule`,
      (_, overrides) => {
        expect(reconcile(candidate(status, overrides), rule({ requiresApproval: false }), matches)).toEqual({
          status: 'ready',
          events: ['rule_changed', 'matched_preapproved'],
          approval: 'rule',
          reason: null,
        });
      },
    );
  }

  it.each(STALE)(
    'when %s under a rule needing no approval, then a withdrawn candidate stays pending (the person is not overruled)',
    (_, overrides) => {
      expect(
        reconcile(candidate('withdrawn', overrides), rule({ requiresApproval: false }), matches),
      ).toEqual({
        status: 'pending',
        events: ['rule_changed'],
        approval: 'clear',
        reason: 'rule_changed',
      });
    },
  );

  it.each(UNTOUCHED)('when the rule changed under a %s candidate, then nothing moves', (status) => {
    const stale = candidate(status, { ruleRevision: 2 });
    expect(reconcile(stale, rule(), matches)).toBeNull();
    expect(reconcile(stale, rule({ requiresApproval: false }), matches)).toBeNull();
  });

  it('when a ready candidate pre-approved by a no-approval rule sees that rule set back to need approval and remove the assignment, then it is pending with its approval cleared', () => {
    // Computed and pre-approved under revision 3: deactivate, no approval needed.
    const preapproved = candidate('ready', {
      ruleRevision: 3,
      action: 'deactivate_user',
      approval: { ruleId: 'rule-1', ruleRevision: 3, action: 'deactivate_user' },
    });
    // The reviewer sets requiresApproval back to true and the action to remove_assignment: revision 4.
    const changed = rule({ revision: 4, requiresApproval: true, action: 'remove_assignment' });
    expect(reconcile(preapproved, changed, matches)).toEqual({
      status: 'pending',
      events: ['rule_changed'],
      approval: 'clear',
      reason: 'rule_changed',
    });
  });
});
