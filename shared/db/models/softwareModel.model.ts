import { Schema, type InferSchemaType } from 'mongoose';

export const LICENSE_TYPES = ['user', 'permission_set', 'package', 'feature', 'consumption'] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];

/**
 * A software model (seed term), auto-created per license identifier seen in an org. `identifier` is
 * seatwise's stable key for a license: `UL:<LicenseDefinitionKey>` for user licenses,
 * `FL:<feature>` for feature licenses, `PSL:<DeveloperName>`, `PKG:<NamespacePrefix>`.
 */
export const softwareModelSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    identifier: { type: String, required: true },
    publisher: { type: String, required: true, default: 'Salesforce' },
    product: { type: String, required: true },
    licenseType: { type: String, required: true, enum: LICENSE_TYPES },
    /** The org's own label for it (MasterLabel / Name). */
    label: { type: String, required: true },
    totalLicenses: { type: Number, default: null },
    usedLicenses: { type: Number, default: null },
    /** Seats held by users seatwise saw in the last sync. */
    assignedCount: { type: Number, default: 0 },
    status: { type: String, default: null },
    lastSyncId: { type: String, default: null },
  },
  { timestamps: true, collection: 'software_models' },
);
softwareModelSchema.index({ profileId: 1, identifier: 1 }, { unique: true });

export type SoftwareModel = InferSchemaType<typeof softwareModelSchema>;
