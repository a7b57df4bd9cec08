import { Schema, type InferSchemaType } from 'mongoose';

export const RUN_TRIGGERS = ['publish', 'schedule', 'manual', 'validate'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export const JOB_RUN_STATUSES = ['queued', 'running', 'delayed', 'succeeded', 'failed', 'cancelled'] as const;

/**
 * The seed's "scheduled job results": one document per job of a run (`_id` = `<runId>|<jobName>`),
 * kept after BullMQ trims its own history. `runId` groups the jobs of one run.
 */
export const jobRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    profileId: { type: Schema.Types.ObjectId, required: true },
    profileName: { type: String, required: true },
    jobName: { type: String, required: true },
    trigger: { type: String, required: true, enum: RUN_TRIGGERS },
    bullJobId: { type: String, default: null },
    status: { type: String, required: true, enum: JOB_RUN_STATUSES },
    queuedAt: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    attempts: { type: Number, required: true, default: 0 },
    counts: {
      records: { type: Number, default: 0 },
      pages: { type: Number, default: 0 },
      apiCalls: { type: Number, default: 0 },
      writes: { type: Number, default: 0 },
    },
    apiUsage: {
      type: new Schema({ used: Number, max: Number }, { _id: false }),
      default: null,
    },
    /** Job-specific outcome (validate: its checks; reclaim: per-status counts). */
    result: { type: Schema.Types.Mixed, default: null },
    error: {
      type: new Schema({ code: String, message: String }, { _id: false }),
      default: null,
    },
  },
  { timestamps: true, collection: 'job_runs' },
);
// The job history's order (newest first, the id breaking ties) straight from the index.
jobRunSchema.index({ profileId: 1, queuedAt: -1, _id: 1 });
jobRunSchema.index({ runId: 1 });

export type JobRun = InferSchemaType<typeof jobRunSchema>;
