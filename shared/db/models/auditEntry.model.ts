import { Schema, type InferSchemaType } from 'mongoose';
import { SeatwiseError } from '../../errors.js';

export const AUDIT_ACTIONS = [
  // a person's decisions
  'approve',
  'reject',
  'withdraw',
  'retry',
  'stop',
  'resume',
  'undo_requested',
  'org_change_confirmed',
  // a person's changes to what decides reclaims and savings
  'rule_created',
  'rule_changed',
  'rule_deleted',
  'exclusion_created',
  'exclusion_changed',
  'exclusion_deleted',
  'currency_set',
  'entitlement_set',
  // what the pipeline decided about a candidate
  'cancel',
  'reset_to_pending',
  'skip',
  // writes to Salesforce and their answers
  'freeze',
  'deactivate',
  'remove_assignment',
  'unfreeze',
  'reactivate',
  'restore_assignment',
  'verify_interrupted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a person's token name, or `system:<job>` for the pipeline. */
const requestSchema = new Schema(
  {
    method: { type: String, required: true },
    path: { type: String, required: true },
    sobject: { type: String, required: true },
    /** The field set (e.g. `IsActive=false`), or null for a delete. */
    change: { type: String, default: null },
    /** The record id this entry is about (User, UserLogin or assignment). */
    recordId: { type: String, required: true },
  },
  { _id: false },
);

/**
 * Append-only: every decision and every Salesforce write of reclaim, with the rule and evidence at
 * that moment, the request (never a secret), Salesforce's answer and the outcome. No code path
 * updates or deletes an entry: the model refuses it (below), and the API has no route for it.
 */
export const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    profileId: { type: Schema.Types.ObjectId, default: null },
    runId: { type: String, default: null },
    userId: { type: String, default: null },
    username: { type: String, default: null },
    candidateId: { type: String, default: null },
    action: { type: String, required: true, enum: AUDIT_ACTIONS },
    actor: { type: String, required: true },
    rule: {
      type: new Schema(
        {
          id: { type: Schema.Types.ObjectId, required: true },
          identifier: { type: String, required: true },
          revision: { type: Number, required: true },
          action: { type: String, required: true },
          thresholdDays: { type: Number, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    evidence: { type: Schema.Types.Mixed, default: null },
    request: { type: requestSchema, default: null },
    /** Salesforce's answer for this record: `{success, errors:[{statusCode, message}]}`. */
    response: { type: Schema.Types.Mixed, default: null },
    outcome: { type: String, required: true },
    reason: { type: String, default: null },
  },
  { collection: 'audit_entries', versionKey: false },
);
auditEntrySchema.index({ profileId: 1, at: 1, _id: 1 });

const REFUSED = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'replaceOne',
  'deleteOne',
  'deleteMany',
] as const;
for (const op of REFUSED) {
  auditEntrySchema.pre(op, function refuse() {
    throw new SeatwiseError('AUDIT_APPEND_ONLY', `audit entries are append-only: ${op} is refused`, { op });
  });
}
auditEntrySchema.pre('save', function refuseChange() {
  if (!this.isNew)
    throw new SeatwiseError('AUDIT_APPEND_ONLY', 'audit entries are append-only: save of an existing entry');
});

export type AuditEntry = InferSchemaType<typeof auditEntrySchema>;
