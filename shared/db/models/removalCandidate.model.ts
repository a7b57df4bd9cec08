import { Schema, type InferSchemaType } from 'mongoose';
import { RECLAIM_ACTIONS } from './reclamationRule.model.js';

/** Every status a candidate can be in; the moves between them are `shared/domain/candidateLifecycle.ts`. */
export const CANDIDATE_STATUSES = [
  'pending', // matched; needs a person's approval
  'ready', // approved for this action under this rule revision (or the rule itself was approved to need none)
  'withdrawn', // an approval was taken back before the write
  'reclaiming', // intent recorded, Salesforce call in progress (or interrupted)
  'frozen', // first phase done: frozen in Salesforce, deactivated once the grace period is over
  'reclaimed',
  'rejected',
  'failed', // Salesforce refused; an admin may retry
  'cancelled', // no longer eligible (rule, exclusion, activity), with the reason
  'restored', // undone from its snapshot
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/**
 * Fields a new candidate is stored without while they are empty: FerretDB keeps a type entry beside
 * every field of every document, and these eleven nulls were a third of a new candidate's stored
 * size, which each insert writes and each read of the collection scans (52,000 new candidates:
 * inserted in 3.5–3.7 s instead of 4.4–5.6 s, a page of the list read in ~125 ms instead of ~170;
 * `.scratch` measurement, FerretDB 1.24 on PostgreSQL). A write that empties one sets it to `null`;
 * every read of whole candidates fills the missing ones with {@link withEmptyFields}. The one filter
 * naming one, the list's `spared` (a `$regex` on `reason`, or its `$not`), takes an absent field as
 * MongoDB does, on FerretDB too (`test/worker/computeCandidates.test.ts`).
 */
export const FIELDS_EMPTY_UNTIL_SET = [
  'approval',
  'decidedBy',
  'decidedAt',
  'reason',
  'lastError',
  'reclaimRunId',
  'phase',
  'outcome',
  'frozenAt',
  'deactivateAfter',
  'reclaimedAt',
] as const;

/** A whole candidate as read, with every field a new candidate is stored without set to `null`. */
export function withEmptyFields<T extends object>(doc: T): T {
  const fields = doc as Record<string, unknown>;
  for (const field of FIELDS_EMPTY_UNTIL_SET) if (fields[field] === undefined) fields[field] = null;
  return doc;
}

/**
 * The approval a write relies on: who approved which action under which revision of which rule.
 * `by` is `rule:<reviewer>` when the rule itself was set to need no approval.
 */
const approvalSchema = new Schema(
  {
    by: { type: String, required: true },
    at: { type: Date, required: true },
    ruleId: { type: Schema.Types.ObjectId, required: true },
    ruleRevision: { type: Number, required: true },
    action: { type: String, required: true, enum: RECLAIM_ACTIONS },
    deactivateNow: { type: Boolean, required: true, default: false },
  },
  { _id: false },
);

/**
 * A subscription a reclamation rule matched. `_id` is deterministic
 * (`<profileId>|<userId>|<identifier>`) so recomputing never duplicates a candidate.
 */
export const removalCandidateSchema = new Schema(
  {
    _id: { type: String, required: true },
    profileId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true },
    username: { type: String, required: true },
    identifier: { type: String, required: true },
    ruleId: { type: Schema.Types.ObjectId, required: true },
    /** The rule's revision when this candidate was last evaluated. */
    ruleRevision: { type: Number, required: true, default: 1 },
    action: { type: String, required: true, enum: RECLAIM_ACTIONS },
    justification: { type: String, required: true, enum: ['low_usage', 'never_used', 'inactive_user'] },
    evidence: {
      lastLoginAt: { type: Date, default: null },
      userCreatedAt: { type: Date, required: true },
      daysInactive: { type: Number, required: true },
      thresholdDays: { type: Number, required: true },
    },
    status: { type: String, required: true, enum: CANDIDATE_STATUSES },
    approval: { type: approvalSchema, default: null },
    /** The last person's decision (approve, reject, withdraw, retry), for display. */
    decidedBy: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    /** Why the candidate left the open states (cancelled), or why the last write skipped it. */
    reason: { type: String, default: null },
    attempts: { type: Number, required: true, default: 0 },
    lastError: {
      type: new Schema({ code: String, message: String }, { _id: false }),
      default: null,
    },
    /** The reclaim run that acted on it, and what it did (freeze after a refused deactivation, etc.). */
    reclaimRunId: { type: String, default: null },
    /** Which write the `reclaiming` intent is for: the freeze, or the deactivation after it. */
    phase: { type: String, enum: ['freeze', 'deactivate', 'remove_assignment', null], default: null },
    outcome: { type: String, default: null },
    frozenAt: { type: Date, default: null },
    /** Frozen candidates: the earliest moment the deactivation may follow. */
    deactivateAfter: { type: Date, default: null },
    reclaimedAt: { type: Date, default: null },
    lastComputedSyncId: { type: String, required: true },
    /** The reclaim slice that last claimed it: narrows the slice's reads, decides nothing (`reclaimClaim.ts`). */
    reclaimClaim: { type: String },
    /** Its place in the list's default order and the two buckets that place lies in (`candidateListing.ts`); never change. */
    listSeq: { type: Number },
    listBuckets: { type: [Number], default: undefined },
    /** The reclaim shard its place lies in: narrows a reclaim batch's reads, decides nothing (`reclaimCandidates.ts`). */
    reclaimShard: { type: Number },
  },
  { timestamps: true, collection: 'removal_candidates' },
);
// The candidates list's default order, unfiltered and by status (which also serves every status
// lookup of the pipeline): on MongoDB a page is read from the index, not sorted in memory.
removalCandidateSchema.index({ profileId: 1, status: 1, createdAt: 1, _id: 1 });
removalCandidateSchema.index({ profileId: 1, createdAt: 1, _id: 1 });
removalCandidateSchema.index({ reclaimClaim: 1, _id: 1 }, { sparse: true });
removalCandidateSchema.index({ listBuckets: 1, listSeq: 1 }, { sparse: true });
removalCandidateSchema.index({ reclaimShard: 1, status: 1 }, { sparse: true });

export type RemovalCandidate = InferSchemaType<typeof removalCandidateSchema>;
