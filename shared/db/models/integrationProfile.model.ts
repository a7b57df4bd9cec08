import { Schema, type InferSchemaType } from 'mongoose';

export const PROFILE_STATUSES = ['draft', 'published', 'paused'] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];

const checkSchema = new Schema(
  { name: { type: String, required: true }, ok: { type: Boolean, required: true }, detail: String },
  { _id: false },
);

/**
 * An integration profile (seed term): one Salesforce org seen through one connection alias.
 * `configChangedAt` moves on every change that a validation must cover (profile or alias); publish
 * requires `lastValidation.at` to be newer.
 */
export const integrationProfileSchema = new Schema(
  {
    displayName: { type: String, required: true },
    /** Lower-cased display name: the unique key (names are unique case-insensitively). */
    displayNameKey: { type: String, required: true, unique: true },
    profileType: { type: String, required: true, enum: ['salesforce_crm'], default: 'salesforce_crm' },
    status: { type: String, required: true, enum: PROFILE_STATUSES, default: 'draft' },
    subflows: {
      downloadSubscriptions: { type: Boolean, required: true, default: true },
      reclaimSubscriptions: { type: Boolean, required: true, default: true },
      downloadConsumption: { type: Boolean, required: true, default: true },
    },
    aliasId: { type: Schema.Types.ObjectId, default: null },
    schedule: {
      cron: { type: String, required: true, default: '0 3 * * *' },
      timezone: { type: String, required: true, default: 'UTC' },
    },
    /** Set by `POST …/reclaim/stop`: no reclaim write is sent until resumed (checked before each batch). */
    reclaimStop: {
      type: new Schema(
        { by: { type: String, required: true }, at: { type: Date, required: true }, reason: String },
        { _id: false },
      ),
      default: null,
    },
    /** Reclaim writes are recorded but not sent to Salesforce. */
    dryRun: { type: Boolean, required: true, default: false },
    lastValidation: {
      type: new Schema(
        {
          runId: { type: String, required: true },
          ok: { type: Boolean, required: true },
          at: { type: Date, required: true },
          checks: { type: [checkSchema], default: [] },
        },
        { _id: false },
      ),
      default: null,
    },
    configChangedAt: { type: Date, required: true, default: () => new Date() },
    /** The run in flight (one per profile), and the last finished one. */
    currentRunId: { type: String, default: null },
    lastRunId: { type: String, default: null },
    /** Which download wrote the subscription rows that are current (see softwareSubscription). */
    activeSyncId: { type: String, default: null },
    /** Every snapshot that has (or may have) rows: listed before its first row is written. */
    syncIdsWritten: { type: [String] },
    createdBy: { type: String, required: true },
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'integration_profiles' },
);

export type IntegrationProfile = InferSchemaType<typeof integrationProfileSchema>;
