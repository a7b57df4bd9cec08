/** The shapes computeCandidates reads and writes, and the approval a no-approval rule gives. */
import type { ObjectId } from 'mongodb';
import type { ReclaimAction, ReclamationRule } from '../../../shared/db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import type { CandidateMatch } from '../../../shared/domain/reclamationRules.js';
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
  approval: Approval | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  attempts: number;
  lastError: null;
  reclaimRunId: string | null;
  phase: null;
  outcome: string | null;
  frozenAt: Date | null;
  deactivateAfter: Date | null;
  reclaimedAt: Date | null;
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
