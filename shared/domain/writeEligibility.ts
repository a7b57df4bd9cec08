/**
 * The re-check at the moment of the write. Right before a batch is sent, the reclaim job re-reads
 * the candidates, rules, exclusions, profile and stop switches from MongoDB and the users from
 * Salesforce, and asks this, per candidate, whether the write may go out and which one. Anything
 * else is skipped with its reason; the `event` says how the candidate moves (null: it stays, e.g.
 * while reclaim is stopped).
 */
import type { ReclaimAction } from '../db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';
import type { CandidateEvent } from './candidateLifecycle.js';
import { isInactive, isWithinGrace } from './inactivity.js';
import type { SpareReason } from './sparedUsers.js';

export type WritePhase = 'freeze' | 'deactivate' | 'remove_assignment';

export const SKIP_REASONS = [
  'reclaim_stopped_globally',
  'reclaim_stopped',
  'profile_paused',
  'approval_withdrawn',
  'rule_removed',
  'rule_disabled',
  'rule_changed',
  'user_not_found',
  'excluded',
  'spared',
  'logged_in_since',
  'released',
  'in_grace',
  'already_inactive',
  'grace_not_over',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface CandidateAtWrite {
  status: CandidateStatus;
  ruleId: string;
  action: ReclaimAction;
  approval: { ruleId: string; ruleRevision: number; action: ReclaimAction; deactivateNow: boolean } | null;
  frozenAt: Date | null;
  deactivateAfter: Date | null;
}

export interface RuleAtWrite {
  id: string;
  revision: number;
  action: ReclaimAction;
  enabled: boolean;
  thresholdDays: number;
  graceDays: number;
  deactivateNow: boolean;
}

/** The user as Salesforce answers right now. */
export interface UserAtWrite {
  isActive: boolean;
  isFrozen: boolean | null;
  lastLoginAt: Date | null;
  userCreatedAt: Date;
}

export interface WriteCheck {
  candidate: CandidateAtWrite;
  rule: RuleAtWrite | null;
  stops: { global: boolean; profile: boolean; paused: boolean };
  /** The user (null: not found in Salesforce), with the exclusion and spare verdicts on fresh facts. */
  user: UserAtWrite | null;
  excluded: boolean;
  spared: SpareReason | null;
  now: Date;
}

export type WriteDecision =
  | { write: true; phase: WritePhase }
  | { write: false; reason: SkipReason; detail?: string; event: CandidateEvent | null };

const skip = (reason: SkipReason, event: CandidateEvent | null, detail?: string): WriteDecision =>
  detail ? { write: false, reason, event, detail } : { write: false, reason, event };

export function decideWrite(check: WriteCheck): WriteDecision {
  const { candidate: c, rule, user, now } = check;
  if (check.stops.global) return skip('reclaim_stopped_globally', null);
  if (check.stops.profile) return skip('reclaim_stopped', null);
  if (check.stops.paused) return skip('profile_paused', null);
  if (c.status !== 'ready' && c.status !== 'frozen') return skip('approval_withdrawn', null);
  if (!rule) return skip('rule_removed', 'skipped_ineligible');
  if (!rule.enabled) return skip('rule_disabled', 'skipped_ineligible');
  const a = c.approval;
  if (!a || a.ruleId !== rule.id || a.ruleRevision !== rule.revision || a.action !== rule.action)
    return skip('rule_changed', 'skipped_unapproved');
  if (c.ruleId !== rule.id || c.action !== rule.action) return skip('rule_changed', 'skipped_unapproved');
  if (!user) return skip('user_not_found', 'skipped_ineligible');
  if (check.spared) return skip('spared', 'skipped_ineligible', check.spared);
  if (check.excluded) return skip('excluded', 'skipped_ineligible');
  if (rule.action === 'remove_assignment') {
    // An assignment of a deactivated user is a seat nobody uses, whatever the last login says.
    if (user.isActive && !isInactive(user, rule.thresholdDays, now))
      return skip('logged_in_since', 'skipped_ineligible');
    return { write: true, phase: 'remove_assignment' };
  }
  if (!user.isActive) return skip('already_inactive', 'skipped_ineligible');
  if (c.status === 'frozen') return secondPhase(c, user, now);
  if (!isInactive(user, rule.thresholdDays, now)) return skip('logged_in_since', 'skipped_ineligible');
  if (isWithinGrace(user.userCreatedAt, rule.graceDays, now)) return skip('in_grace', 'skipped_ineligible');
  if (rule.action === 'freeze_user') return { write: true, phase: 'freeze' };
  return { write: true, phase: a.deactivateNow && rule.deactivateNow ? 'deactivate' : 'freeze' };
}

/** Frozen by us, waiting: deactivate once the grace is over, unless released or logged in meanwhile. */
function secondPhase(c: CandidateAtWrite, user: UserAtWrite, now: Date): WriteDecision {
  // Unknown counts as released: only a user still frozen by us may go on to be deactivated.
  if (user.isFrozen !== true) return skip('released', 'skipped_ineligible');
  if (user.lastLoginAt && c.frozenAt && user.lastLoginAt.getTime() > c.frozenAt.getTime())
    return skip('logged_in_since', 'skipped_ineligible');
  if (!c.deactivateAfter || now.getTime() < c.deactivateAfter.getTime()) return skip('grace_not_over', null);
  return { write: true, phase: 'deactivate' };
}
