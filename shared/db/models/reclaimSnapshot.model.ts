import { Schema, type InferSchemaType } from 'mongoose';

/** An assignment a reclaim removed, with what it takes to create it again. */
const removedAssignmentSchema = new Schema(
  {
    sobject: {
      type: String,
      required: true,
      enum: ['PermissionSetAssignment', 'PermissionSetLicenseAssign', 'UserPackageLicense'],
    },
    id: { type: String, required: true },
    /** The create body's fields, e.g. `{AssigneeId, PermissionSetLicenseId}`. */
    fields: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

const undoResultSchema = new Schema(
  {
    what: { type: String, required: true },
    restored: { type: Boolean, required: true },
    code: { type: String, default: null },
    message: { type: String, default: null },
  },
  { _id: false },
);

/**
 * What one reclaim write is about to change for one user, stored before the write (`_id`
 * `<runId>|<userId>|<phase>`, so a retried batch keeps the first, true "before"). Undo restores from
 * it: unfreeze, reactivate, re-create the removed assignments.
 */
export const reclaimSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    profileId: { type: Schema.Types.ObjectId, required: true },
    runId: { type: String, required: true },
    userId: { type: String, required: true },
    username: { type: String, default: null },
    phase: { type: String, required: true, enum: ['freeze', 'deactivate', 'remove_assignment'] },
    candidateIds: { type: [String], required: true },
    before: {
      isActive: { type: Boolean, required: true },
      isFrozen: { type: Boolean, default: null },
      userLoginId: { type: String, default: null },
    },
    removed: { type: [removedAssignmentSchema], default: [] },
    takenAt: { type: Date, required: true },
    /** Set once an undo has run over this snapshot. */
    undo: {
      type: new Schema(
        {
          undoId: { type: String, required: true },
          at: { type: Date, required: true },
          by: { type: String, required: true },
          results: { type: [undoResultSchema], default: [] },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { collection: 'reclaim_snapshots', versionKey: false },
);
reclaimSnapshotSchema.index({ profileId: 1, runId: 1 });
reclaimSnapshotSchema.index({ profileId: 1, userId: 1 });

export type ReclaimSnapshot = InferSchemaType<typeof reclaimSnapshotSchema>;
