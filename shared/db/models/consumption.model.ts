import { Schema, type InferSchemaType } from 'mongoose';

/** One metric of an org's consumption: `/limits` entries and usage-based entitlements. */
export const consumptionSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    source: { type: String, required: true, enum: ['limits', 'usage_entitlement'] },
    metric: { type: String, required: true },
    label: { type: String, required: true },
    /** null = not metered (a null AmountUsed is not zero). */
    used: { type: Number, default: null },
    allowed: { type: Number, default: null },
    /**
     * Usage entitlements: the current billing window, derived from the contract's StartDate and the
     * Frequency (shared/domain/billingWindow.ts); periodEnd is exclusive. null when not derivable.
     */
    periodStart: { type: Date, default: null },
    periodEnd: { type: Date, default: null },
    /** TenantUsageEntitlement.Frequency (Daily … Yearly, Once). */
    frequency: { type: String, default: null },
    /** StartDate and EndDate as Salesforce gives them: the contract, EndDate its last day. */
    contractStart: { type: Date, default: null },
    contractEnd: { type: Date, default: null },
    /** The contract ended before `asOf`: the window shown is its last one. */
    contractEnded: { type: Boolean, default: false },
    /** UsageDate: when Salesforce last measured AmountUsed. */
    usageDate: { type: Date, default: null },
    asOf: { type: Date, required: true },
    runId: { type: String, required: true },
  },
  { timestamps: true, collection: 'consumption' },
);
consumptionSchema.index({ profileId: 1, source: 1, metric: 1 }, { unique: true });

export type Consumption = InferSchemaType<typeof consumptionSchema>;
