import { Schema, type InferSchemaType } from 'mongoose';

/** One software model's figures at one point (see shared/savings/savingsTable.ts for their meaning). */
const historyModelSchema = new Schema(
  {
    identifier: { type: String, required: true },
    label: { type: String, required: true },
    used: { type: Number, required: true },
    active: { type: Number, required: true },
    owned: { type: Number, default: null },
    reclaimable: { type: Number, required: true },
    reclaimed: { type: Number, required: true },
    pricePerSeatMonthMinor: { type: Number, default: null },
    potentialMonthlyMinor: { type: Number, default: null },
    realizedMonthlyMinor: { type: Number, default: null },
  },
  { _id: false },
);

/**
 * The savings table of a profile as it stood when one computeCandidates run finished: the series the
 * console charts per sync. One point per run (`runId` unique per profile), so a retried job overwrites
 * its own point instead of adding a second.
 */
export const savingsHistorySchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    runId: { type: String, required: true },
    syncId: { type: String, default: null },
    at: { type: Date, required: true },
    currency: { type: String, default: null },
    totals: {
      used: { type: Number, required: true },
      active: { type: Number, required: true },
      reclaimable: { type: Number, required: true },
      reclaimed: { type: Number, required: true },
      potentialMonthlyMinor: { type: Number, default: null },
      realizedMonthlyMinor: { type: Number, default: null },
    },
    models: { type: [historyModelSchema], default: [] },
  },
  { collection: 'savings_history', versionKey: false },
);
savingsHistorySchema.index({ profileId: 1, runId: 1 }, { unique: true });

export type SavingsHistoryPoint = InferSchemaType<typeof savingsHistorySchema>;
