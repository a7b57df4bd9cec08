import { describe, expect, it } from 'vitest';
import {
  CANDIDATE_EVENTS,
  initialStatus,
  isWorkable,
  statusesAllowing,
  transition,
  type CandidateEvent,
} from '../../../shared/domain/candidateLifecycle.js';
import {
  CANDIDATE_STATUSES,
  type CandidateStatus,
} from '../../../shared/db/models/removalCandidate.model.js';

/** Every legal move, written out once more by hand: the table must say exactly this, nothing else. */
const LEGAL: [CandidateStatus, CandidateEvent, CandidateStatus][] = [
  ['pending', 'matched_needs_approval', 'pending'],
  ['pending', 'matched_preapproved', 'ready'],
  ['pending', 'rule_changed', 'pending'],
  ['pending', 'no_longer_matches', 'cancelled'],
  ['pending', 'approve', 'ready'],
  ['pending', 'reject', 'rejected'],
  ['pending', 'undone', 'restored'],
  ['ready', 'matched_needs_approval', 'ready'],
  ['ready', 'matched_preapproved', 'ready'],
  ['ready', 'rule_changed', 'pending'],
  ['ready', 'no_longer_matches', 'cancelled'],
  ['ready', 'reject', 'rejected'],
  ['ready', 'withdraw', 'withdrawn'],
  ['ready', 'write_started', 'reclaiming'],
  ['ready', 'skipped_ineligible', 'cancelled'],
  ['ready', 'skipped_unapproved', 'pending'],
  ['withdrawn', 'matched_needs_approval', 'withdrawn'],
  ['withdrawn', 'matched_preapproved', 'withdrawn'],
  ['withdrawn', 'rule_changed', 'pending'],
  ['withdrawn', 'no_longer_matches', 'cancelled'],
  ['withdrawn', 'approve', 'ready'],
  ['withdrawn', 'reject', 'rejected'],
  ['withdrawn', 'undone', 'restored'],
  ['reclaiming', 'froze', 'frozen'],
  ['reclaiming', 'write_done', 'reclaimed'],
  ['reclaiming', 'write_refused', 'failed'],
  ['reclaiming', 'write_not_sent', 'ready'],
  ['reclaiming', 'deactivation_not_sent', 'frozen'],
  ['reclaiming', 'write_confirmed', 'reclaimed'],
  ['frozen', 'withdraw', 'withdrawn'],
  ['frozen', 'write_started', 'reclaiming'],
  ['frozen', 'skipped_ineligible', 'cancelled'],
  ['frozen', 'skipped_unapproved', 'pending'],
  ['frozen', 'undone', 'restored'],
  ['reclaimed', 'undone', 'restored'],
  ['failed', 'retry', 'ready'],
  ['failed', 'reject', 'rejected'],
  ['failed', 'no_longer_matches', 'cancelled'],
  ['failed', 'rule_changed', 'pending'],
  ['failed', 'undone', 'restored'],
  ['cancelled', 'matched_needs_approval', 'pending'],
  ['cancelled', 'matched_preapproved', 'ready'],
  ['cancelled', 'undone', 'restored'],
];

describe('candidate lifecycle: the transition table', () => {
  it.each(LEGAL)('when a %s candidate sees %s, then it becomes %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it('when any other event reaches any status, then the table refuses the move', () => {
    const legal = new Set(LEGAL.map(([from, event]) => `${from}/${event}`));
    for (const from of CANDIDATE_STATUSES) {
      for (const event of CANDIDATE_EVENTS) {
        if (!legal.has(`${from}/${event}`)) expect(transition(from, event), `${from}/${event}`).toBeNull();
      }
    }
  });

  it('when a candidate was never approved, then nothing moves it to a write', () => {
    for (const from of ['pending', 'withdrawn', 'cancelled', 'failed'] as const) {
      expect(transition(from, 'write_started')).toBeNull();
    }
    expect(statusesAllowing('write_started').sort()).toEqual(['frozen', 'ready']);
  });

  it('when a candidate is rejected or restored, then no event leaves it', () => {
    for (const event of CANDIDATE_EVENTS) {
      expect(transition('rejected', event)).toBeNull();
      expect(transition('restored', event)).toBeNull();
    }
  });

  it('when a rule requires approval, then new candidates start pending, else ready', () => {
    expect(initialStatus(true)).toBe('pending');
    expect(initialStatus(false)).toBe('ready');
  });

  it('when a reclaim starts, then it takes approved and interrupted candidates, and frozen ones only once their grace is over', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const at = (ms: number) => new Date(now.getTime() + ms);
    expect(isWorkable({ status: 'ready', deactivateAfter: null }, now)).toBe(true);
    expect(isWorkable({ status: 'reclaiming', deactivateAfter: null }, now)).toBe(true);
    expect(isWorkable({ status: 'frozen', deactivateAfter: now }, now)).toBe(true);
    expect(isWorkable({ status: 'frozen', deactivateAfter: at(1) }, now)).toBe(false);
    expect(isWorkable({ status: 'frozen', deactivateAfter: null }, now)).toBe(false);
    for (const status of ['pending', 'withdrawn', 'failed', 'reclaimed', 'rejected'] as const)
      expect(isWorkable({ status, deactivateAfter: at(-1) }, now)).toBe(false);
  });
});
