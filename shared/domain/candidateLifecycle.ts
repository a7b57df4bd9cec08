/**
 * The one table of a removal candidate's moves. Every status change names an event; the table says
 * from which statuses that event is legal and where it leads. Nothing writes a candidate's status
 * but through `transition()` (and a conditional update on the `from` status it returns), so a move
 * the table does not list cannot happen, however processes race.
 *
 * Approval is given to one action under one revision of one rule: `rule_changed` takes every
 * approved or waiting candidate back to `pending`, and a candidate that no longer qualifies is
 * `cancelled` with its reason. `reclaiming` is left to the reclaim job: only Salesforce can tell
 * whether an interrupted write landed (`write_confirmed`) or not (`write_not_sent`).
 */
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';

export const CANDIDATE_EVENTS = [
  // computeCandidates
  'matched_needs_approval', // new or re-matched, its rule needs a person's approval
  'matched_preapproved', // new or re-matched, its rule was approved to need none
  'rule_changed', // the rule's revision (or action) is not the one the candidate was approved under
  'no_longer_matches', // excluded, rule disabled or removed, activity seen, license gone, spared
  // a person, through the API
  'approve',
  'reject',
  'withdraw',
  'retry',
  // reclaim, at the write
  'write_started', // intent recorded before the call
  'froze', // first phase done; the deactivation waits for the grace period
  'write_done', // the last write for this candidate landed
  'write_refused', // Salesforce refused (and no fallback applied)
  'write_not_sent', // found after an interruption: Salesforce shows nothing changed
  'deactivation_not_sent', // the same, for the deactivation that follows a freeze: still frozen
  'write_confirmed', // found after an interruption: Salesforce shows the write landed
  'skipped_ineligible', // re-check at the write: no longer eligible (logged in, excluded, released…)
  'skipped_unapproved', // re-check at the write: its approval does not cover the rule as it stands
  // undo
  'undone',
] as const;
export type CandidateEvent = (typeof CANDIDATE_EVENTS)[number];

type Table = Readonly<Record<CandidateStatus, Readonly<Partial<Record<CandidateEvent, CandidateStatus>>>>>;

export const TRANSITIONS: Table = {
  pending: {
    matched_needs_approval: 'pending',
    matched_preapproved: 'ready',
    rule_changed: 'pending',
    no_longer_matches: 'cancelled',
    approve: 'ready',
    reject: 'rejected',
    // A frozen user whose approval went stale (frozen → pending) is still frozen: undo unfreezes.
    undone: 'restored',
  },
  ready: {
    matched_needs_approval: 'ready',
    matched_preapproved: 'ready',
    rule_changed: 'pending',
    no_longer_matches: 'cancelled',
    reject: 'rejected',
    withdraw: 'withdrawn',
    write_started: 'reclaiming',
    skipped_ineligible: 'cancelled',
    skipped_unapproved: 'pending',
  },
  withdrawn: {
    matched_needs_approval: 'withdrawn',
    matched_preapproved: 'withdrawn',
    rule_changed: 'pending',
    no_longer_matches: 'cancelled',
    approve: 'ready',
    reject: 'rejected',
    // Withdrawn while frozen: the user stays frozen until undone.
    undone: 'restored',
  },
  reclaiming: {
    froze: 'frozen',
    write_done: 'reclaimed',
    write_refused: 'failed',
    write_not_sent: 'ready',
    deactivation_not_sent: 'frozen',
    write_confirmed: 'reclaimed',
  },
  frozen: {
    // Frozen users cannot log in, so activity cannot change; a rule change or exclusion stops the
    // deactivation (the re-check at the write says why) and the user stays frozen until undone.
    withdraw: 'withdrawn',
    write_started: 'reclaiming',
    skipped_ineligible: 'cancelled',
    skipped_unapproved: 'pending',
    undone: 'restored',
  },
  reclaimed: { undone: 'restored' },
  failed: {
    retry: 'ready',
    reject: 'rejected',
    no_longer_matches: 'cancelled',
    rule_changed: 'pending',
    undone: 'restored',
  },
  cancelled: {
    matched_needs_approval: 'pending',
    matched_preapproved: 'ready',
    undone: 'restored',
  },
  rejected: {},
  restored: {},
};

/** Where `event` takes a candidate in `from`, or null when the table has no such move. */
export function transition(from: CandidateStatus, event: CandidateEvent): CandidateStatus | null {
  return TRANSITIONS[from][event] ?? null;
}

/** The statuses `event` may start from (the filter of a conditional update). */
export function statusesAllowing(event: CandidateEvent): CandidateStatus[] {
  return (Object.keys(TRANSITIONS) as CandidateStatus[]).filter((s) => TRANSITIONS[s][event] !== undefined);
}

/** Statuses whose move to `to` goes by `event` (usually one target for one event; kept general). */
export function fromStatusesOf(event: CandidateEvent, to: CandidateStatus): CandidateStatus[] {
  return statusesAllowing(event).filter((s) => TRANSITIONS[s][event] === to);
}

/** What a reclaim takes: approved, interrupted, and frozen ones (those once their grace is over). */
export const WORKABLE_STATUSES = [
  'reclaiming',
  'ready',
  'frozen',
] as const satisfies readonly CandidateStatus[];
export type WorkableStatus = (typeof WORKABLE_STATUSES)[number];

/** Whether a reclaim starting at `now` takes this candidate (a frozen one only past its grace). */
export function isWorkable(
  c: { status: CandidateStatus; deactivateAfter?: Date | null },
  now: Date,
): boolean {
  if (c.status === 'ready' || c.status === 'reclaiming') return true;
  return c.status === 'frozen' && c.deactivateAfter != null && c.deactivateAfter.getTime() <= now.getTime();
}

/** Candidates computeCandidates re-evaluates every run. */
export const OPEN_STATUSES: readonly CandidateStatus[] = ['pending', 'ready', 'withdrawn', 'failed'];

/** The status a newly matched (or re-matched) candidate starts in. */
export function matchEvent(requiresApproval: boolean): CandidateEvent {
  return requiresApproval ? 'matched_needs_approval' : 'matched_preapproved';
}

/** The status a brand-new candidate starts in. */
export function initialStatus(requiresApproval: boolean): CandidateStatus {
  return requiresApproval ? 'pending' : 'ready';
}
