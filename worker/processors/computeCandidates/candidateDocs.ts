/**
 * The shapes computeCandidates reads and writes, how a match becomes a new candidate, and the
 * approval a no-approval rule gives.
 */
import type { ObjectId } from 'mongodb';
import type { ReclaimAction, ReclamationRule } from '../../../shared/db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import { initialStatus } from '../../../shared/domain/candidateLifecycle.js';
import type { ExistingCandidate } from '../../../shared/domain/candidateReconcile.js';
import {
  candidateId,
  type CandidateMatch,
  type SubscriptionFacts,
} from '../../../shared/domain/reclamationRules.js';
import type { LedgerEntry } from '../../../shared/db/candidateLedger.js';

export type Rule = ReclamationRule & { _id: ObjectId };

export interface Approval {
  by: string;
  at: Date;
  ruleId: ObjectId;
  ruleRevision: number;
  action: ReclaimAction;
  deactivateNow: boolean;
}

/**
 * A new candidate as inserted: without the fields that are still empty (`FIELDS_EMPTY_UNTIL_SET`);
 * `approval` and `reason` only when it has them.
 */
export interface CandidateDoc {
  _id: string;
  profileId: ObjectId;
  userId: string;
  username: string;
  identifier: string;
  ruleId: ObjectId;
  ruleRevision: number;
  action: ReclaimAction;
  justification: string;
  evidence: CandidateMatch['evidence'];
  status: CandidateStatus;
  approval?: Approval;
  reason?: string;
  attempts: number;
  lastComputedSyncId: string;
  createdAt: Date;
  updatedAt: Date;
  /** Its place in the list's default order (`candidateListing.ts`); absent while the order is incomplete. */
  listSeq?: number;
  listBuckets?: [number, number];
  reclaimShard?: number;
}

/** What a compute knows of each existing candidate (the candidate ledger's entry). */
export type KnownCandidate = LedgerEntry;

/**
 * A rule set to need no approval is itself the approval, given by whoever last reviewed it, for its
 * action under its current revision only.
 */
export function ruleApproval(rule: Rule, now: Date): Approval {
  return {
    by: `rule:${rule.reviewedBy ?? 'default'}`,
    at: now,
    ruleId: rule._id,
    ruleRevision: rule.revision ?? 1,
    action: rule.action,
    deactivateNow: rule.deactivateNow ?? false,
  };
}

/** One license of one user that a rule matched. */
export interface Match {
  rule: Rule;
  row: SubscriptionFacts;
  match: CandidateMatch;
  /** Spared users get a `cancelled` candidate that says why, so the list can show them. */
  spared: string | null;
}

/** The compute a new candidate comes from. */
export interface ComputeContext {
  profileId: string;
  profileObjectId: ObjectId;
  syncId: string;
  now: Date;
}

export function newCandidateDoc({ rule, row, match, spared }: Match, ctx: ComputeContext): CandidateDoc {
  const status: CandidateStatus = spared ? 'cancelled' : initialStatus(rule.requiresApproval);
  return {
    _id: candidateId(ctx.profileId, row.userId, row.identifier),
    profileId: ctx.profileObjectId,
    userId: row.userId,
    username: row.username,
    identifier: row.identifier,
    ruleId: rule._id,
    ruleRevision: rule.revision ?? 1,
    action: rule.action,
    justification: match.justification,
    evidence: match.evidence,
    status,
    ...(status === 'ready' ? { approval: ruleApproval(rule, ctx.now) } : {}),
    ...(spared ? { reason: `spared: ${spared}` } : {}),
    attempts: 0,
    lastComputedSyncId: ctx.syncId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}

/** What the compute keeps of a candidate it wrote. */
export const knownOf = (d: CandidateDoc): KnownCandidate => ({
  _id: d._id,
  userId: d.userId,
  identifier: d.identifier,
  username: d.username,
  status: d.status,
  ruleId: d.ruleId,
  ruleRevision: d.ruleRevision,
  action: d.action,
  approval: d.approval
    ? { ruleId: d.approval.ruleId, ruleRevision: d.approval.ruleRevision, action: d.approval.action }
    : null,
});

/** A known candidate as the reconcile rules see it. */
export const existingOf = (c: KnownCandidate): ExistingCandidate => ({
  status: c.status,
  ruleId: String(c.ruleId),
  ruleRevision: c.ruleRevision,
  action: c.action,
  approval: c.approval
    ? {
        ruleId: String(c.approval.ruleId),
        ruleRevision: c.approval.ruleRevision,
        action: c.approval.action,
      }
    : null,
});
