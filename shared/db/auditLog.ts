/**
 * The only writer of audit entries: appends, never updates (the model refuses updates and deletes).
 * Entries are inserted in one unordered batch per call, so a batch of writes costs one round trip.
 */
import type { Types } from 'mongoose';
import type { AuditAction } from './models/auditEntry.model.js';
import type { Models } from './models.js';

export interface AuditInput {
  profileId: Types.ObjectId | null;
  action: AuditAction;
  actor: string;
  outcome: string;
  runId?: string | null;
  userId?: string | null;
  username?: string | null;
  candidateId?: string | null;
  rule?: {
    id: Types.ObjectId;
    identifier: string;
    revision: number;
    action: string;
    thresholdDays: number;
  } | null;
  evidence?: Record<string, unknown> | null;
  request?: { method: string; path: string; sobject: string; change: string | null; recordId: string } | null;
  response?: Record<string, unknown> | null;
  reason?: string | null;
  at?: Date;
}

/** The rule as an audit entry records it: what it was at that moment, not a link to what it is now. */
export function ruleReference(
  rule:
    | { _id: Types.ObjectId; identifier: string; revision?: number; action: string; thresholdDays: number }
    | null
    | undefined,
): AuditInput['rule'] {
  if (!rule) return null;
  return {
    id: rule._id,
    identifier: rule.identifier,
    revision: rule.revision ?? 1,
    action: rule.action,
    thresholdDays: rule.thresholdDays,
  };
}

export async function appendAudit(models: Models, entries: readonly AuditInput[]): Promise<void> {
  if (entries.length === 0) return;
  const at = new Date();
  await models.AuditEntry.insertMany(
    entries.map((e) => ({ ...e, at: e.at ?? at })),
    { ordered: false },
  );
}
