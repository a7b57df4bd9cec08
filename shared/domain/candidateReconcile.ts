/**
 * What computeCandidates does with a candidate that already exists, given the rule as it stands and
 * whether the user's subscription still matches it. Pure: the processor reads, asks this, and writes
 * the answer through a conditional update on the status it started from.
 */
import type { ReclaimAction } from '../db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';
import { matchEvent, transition, type CandidateEvent } from './candidateLifecycle.js';

export interface ExistingCandidate {
  status: CandidateStatus;
  ruleId: string;
  ruleRevision: number;
  action: ReclaimAction;
  approval: { ruleId: string; ruleRevision: number; action: ReclaimAction } | null;
}

export interface CurrentRule {
  id: string;
  revision: number;
  action: ReclaimAction;
  requiresApproval: boolean;
}

export type Assessment = { matches: true } | { matches: false; reason: string };

export interface Reconciliation {
  status: CandidateStatus;
  events: CandidateEvent[];
  /** keep the approval, clear it, or record the rule's own pre-approval. */
  approval: 'keep' | 'clear' | 'rule';
  reason: string | null;
}

/** The candidate was computed or approved under something other than the rule as it stands. */
export function isStale(existing: ExistingCandidate, rule: CurrentRule): boolean {
  const differs = (c: { ruleId: string; ruleRevision: number; action: ReclaimAction }) =>
    c.ruleId !== rule.id || c.ruleRevision !== rule.revision || c.action !== rule.action;
  return differs(existing) || (existing.approval !== null && differs(existing.approval));
}

/** The moves to make, or null when the status stays (evidence may still be refreshed). */
export function reconcile(
  existing: ExistingCandidate,
  rule: CurrentRule | null,
  assessment: Assessment,
): Reconciliation | null {
  if (!assessment.matches || !rule) {
    const to = transition(existing.status, 'no_longer_matches');
    if (!to) return null;
    const reason = assessment.matches ? 'rule_removed' : assessment.reason;
    return { status: to, events: ['no_longer_matches'], approval: 'clear', reason };
  }
  if (existing.status === 'cancelled') {
    const event = matchEvent(rule.requiresApproval);
    const to = transition('cancelled', event);
    if (!to) return null;
    return { status: to, events: [event], approval: rule.requiresApproval ? 'clear' : 'rule', reason: null };
  }
  if (!isStale(existing, rule)) return null;
  const reset = transition(existing.status, 'rule_changed');
  if (!reset) return null;
  // A person withdrew this one: a rule that needs no approval does not overrule them.
  if (!rule.requiresApproval && existing.status !== 'withdrawn') {
    const to = transition(reset, 'matched_preapproved');
    if (to)
      return { status: to, events: ['rule_changed', 'matched_preapproved'], approval: 'rule', reason: null };
  }
  return { status: reset, events: ['rule_changed'], approval: 'clear', reason: 'rule_changed' };
}
