import { Schema, type InferSchemaType } from 'mongoose';

export const EXCLUSION_KINDS = [
  'identifier',
  'user_id',
  'username_pattern',
  'profile_name',
  'user_type',
] as const;
export type ExclusionKind = (typeof EXCLUSION_KINDS)[number];

/**
 * Keeps a license type (`identifier`) or people (`user_id`, `username_pattern` — a glob with `*`,
 * `profile_name`, `user_type`) out of reclamation. `value` is matched case-insensitively.
 */
export const exclusionRuleSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, required: true, enum: EXCLUSION_KINDS },
    value: { type: String, required: true },
    comment: { type: String, default: null },
    enabled: { type: Boolean, required: true, default: true },
    createdBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'exclusion_rules' },
);
exclusionRuleSchema.index({ profileId: 1, kind: 1, value: 1 }, { unique: true });

export type ExclusionRule = InferSchemaType<typeof exclusionRuleSchema>;
