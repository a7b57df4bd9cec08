import { Schema, type InferSchemaType } from 'mongoose';
import { RECLAIM_ACTIONS } from './reclamationRule.model.js';

export const CANDIDATE_STATUSES = [
  'pending', // needs approval
  'ready', // approved, or its rule needs none
  'reclaiming', // intent recorded, Salesforce call in progress
  'reclaimed',
  'rejected',
  'failed',
  'cancelled', // activity seen again, or no longer matched, before reclaim
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

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
    action: { type: String, required: true, enum: RECLAIM_ACTIONS },
    justification: { type: String, required: true, enum: ['low_usage', 'never_used', 'inactive_user'] },
    evidence: {
      lastLoginAt: { type: Date, default: null },
      userCreatedAt: { type: Date, required: true },
      daysInactive: { type: Number, required: true },
      thresholdDays: { type: Number, required: true },
    },
    status: { type: String, required: true, enum: CANDIDATE_STATUSES },
    decidedBy: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    attempts: { type: Number, required: true, default: 0 },
    lastError: {
      type: new Schema({ code: String, message: String }, { _id: false }),
      default: null,
    },
    /** The reclaim run that acted on it, and what it did (freeze after a refused deactivation, etc.). */
    reclaimRunId: { type: String, default: null },
    outcome: { type: String, default: null },
    reclaimedAt: { type: Date, default: null },
    lastComputedSyncId: { type: String, required: true },
  },
  { timestamps: true, collection: 'removal_candidates' },
);
removalCandidateSchema.index({ profileId: 1, status: 1 });

export type RemovalCandidate = InferSchemaType<typeof removalCandidateSchema>;
