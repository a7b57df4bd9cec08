/**
 * Changes to what decides a reclaim or a saving (reclamation and exclusion rules, currency, owned
 * seats and prices) go to the profile's audit trail beside the decisions they shape: who changed
 * what, from which value to which. An audit failure fails the request (the change is then already
 * written; the answer says so with 500 and the log names it), never silently.
 */
import { Types } from 'mongoose';
import { appendAudit, ruleReference, type AuditInput } from '../../shared/db/auditLog.js';
import type { AuditAction } from '../../shared/db/models/auditEntry.model.js';
import type { Actor } from '../http/auth.js';
import type { ApiServices } from './apiServices.js';

type RuleLike = Parameters<typeof ruleReference>[0];

export interface ConfigChange {
  profileId: string;
  action: Extract<
    AuditAction,
    | 'rule_created'
    | 'rule_changed'
    | 'rule_deleted'
    | 'exclusion_created'
    | 'exclusion_changed'
    | 'exclusion_deleted'
    | 'currency_set'
    | 'entitlement_set'
  >;
  actor: Actor;
  /** A reclamation rule as it stands after the change (before it, for a delete). */
  rule?: RuleLike;
  /** Only the fields that changed: `{ field: { from, to } }`; a create or delete: the whole record. */
  change: Record<string, unknown>;
}

export async function auditConfigChange(s: ApiServices, change: ConfigChange): Promise<void> {
  const entry: AuditInput = {
    profileId: new Types.ObjectId(change.profileId),
    action: change.action,
    actor: change.actor.name,
    outcome: 'recorded',
    rule: ruleReference(change.rule),
    evidence: change.change,
  };
  await appendAudit(s.models, [entry]);
}

/** `{ field: { from, to } }` for every field of `input` whose value differs from `before`'s. */
export function changedFields(
  before: Record<string, unknown> | null | undefined,
  input: Record<string, unknown>,
): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(input)) {
    const from = before?.[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to ?? null)) changed[field] = { from, to: to ?? null };
  }
  return changed;
}
