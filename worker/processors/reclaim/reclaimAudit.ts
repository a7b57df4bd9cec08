/** Audit entries of the reclaim job: one per decision about a candidate and one per record written. */
import type { ObjectId } from 'mongodb';
import type { AuditInput } from '../../../shared/db/auditLog.js';
import type { AuditAction } from '../../../shared/db/models/auditEntry.model.js';
import type { RecordOutcome } from '../../../shared/salesforce/salesforceClient.js';
import type { CandidateRow, RuleNow } from './batchState.js';
import type { PlannedCall } from './reclaimCalls.js';

export const RECLAIM_ACTOR = 'system:reclaim';

export interface AuditScope {
  profileId: ObjectId;
  runId: string;
}

export function ruleRef(rule: RuleNow | undefined, fallback: CandidateRow): AuditInput['rule'] {
  if (!rule) return null;
  return {
    id: fallback.ruleId,
    identifier: rule.identifier,
    revision: rule.revision,
    action: rule.action,
    thresholdDays: rule.thresholdDays,
  };
}

export function candidateAudit(
  scope: AuditScope,
  c: CandidateRow,
  rule: RuleNow | undefined,
  action: AuditAction,
  outcome: string,
  reason: string | null = null,
): AuditInput {
  return {
    profileId: scope.profileId,
    runId: scope.runId,
    candidateId: c._id,
    userId: c.userId,
    username: c.username,
    action,
    actor: RECLAIM_ACTOR,
    rule: ruleRef(rule, c),
    evidence: c.evidence,
    outcome,
    reason,
  };
}

/** The entry for one record of a write call: what was sent (never a token) and what came back. */
export function writeAudit(
  base: AuditInput,
  call: PlannedCall,
  recordId: string,
  answer: RecordOutcome | undefined,
): AuditInput {
  return {
    ...base,
    request: { method: call.method, path: call.path, sobject: call.sobject, change: call.change, recordId },
    response: answer
      ? {
          success: answer.success,
          errors: answer.errors.map((e) => ({ statusCode: e.statusCode, message: e.message })),
        }
      : null,
  };
}
