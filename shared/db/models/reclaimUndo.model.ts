import { Schema, type InferSchemaType } from 'mongoose';

export const UNDO_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type UndoStatus = (typeof UNDO_STATUSES)[number];

/**
 * One undo asked for through the API: a whole reclaim run, or some users. The `reclaimUndo` job
 * (ids only) reads its scope here and writes per-user results back.
 */
export const reclaimUndoSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    scope: {
      runId: { type: String, default: null },
      userIds: { type: [String], default: undefined },
    },
    requestedBy: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    status: { type: String, required: true, enum: UNDO_STATUSES, default: 'queued' },
    finishedAt: { type: Date, default: null },
    users: {
      type: [
        new Schema(
          {
            userId: { type: String, required: true },
            restored: { type: [String], default: [] },
            notRestored: {
              type: [new Schema({ what: String, code: String, message: String }, { _id: false })],
              default: [],
            },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    error: { type: String, default: null },
  },
  { timestamps: true, collection: 'reclaim_undos' },
);
reclaimUndoSchema.index({ profileId: 1, requestedAt: -1 });

export type ReclaimUndo = InferSchemaType<typeof reclaimUndoSchema>;
