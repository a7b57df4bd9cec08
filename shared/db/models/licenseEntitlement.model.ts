import { Schema, type InferSchemaType } from 'mongoose';

/**
 * What the admin says a profile's org owns of one software model (by its identifier) and what a seat
 * costs. Absent fields fall back: owned seats to the org's TotalLicenses as last downloaded; a
 * missing price leaves savings unknown (not zero). Money is in minor units of the profile's currency.
 */
export const licenseEntitlementSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    identifier: { type: String, required: true },
    /** Entered by an admin; wins over the org's TotalLicenses. null = use the org's figure. */
    ownedSeats: { type: Number, default: null },
    /** Per seat per month, minor units of the profile's currency; null = not entered. */
    pricePerSeatMonthMinor: { type: Number, default: null },
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'license_entitlements' },
);
licenseEntitlementSchema.index({ profileId: 1, identifier: 1 }, { unique: true });

export type LicenseEntitlement = InferSchemaType<typeof licenseEntitlementSchema>;

/** One currency per profile (ISO 4217): every price of the profile is in it. */
export const profilePricingSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    currency: { type: String, required: true },
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'profile_pricing' },
);
profilePricingSchema.index({ profileId: 1 }, { unique: true });

export type ProfilePricing = InferSchemaType<typeof profilePricingSchema>;
