import { Schema, type InferSchemaType } from 'mongoose';

/**
 * One (profile, Salesforce user, license identifier). Rows belong to the download that wrote them
 * (`syncId`); the profile's `activeSyncId` names the current set. FerretDB updates documents one by
 * one (slowly), so a download inserts a fresh set and switches the pointer instead of upserting.
 * `_id` is deterministic (`<syncId>|<userId>|<identifier>`) so a retried insert is a no-op.
 */
export const softwareSubscriptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    profileId: { type: Schema.Types.ObjectId, required: true },
    syncId: { type: String, required: true },
    userId: { type: String, required: true },
    username: { type: String, required: true },
    name: { type: String, default: null },
    email: { type: String, default: null },
    isActive: { type: Boolean, required: true },
    userType: { type: String, required: true },
    profileName: { type: String, default: null },
    apiOnly: { type: Boolean, required: true, default: false },
    identifier: { type: String, required: true },
    modelId: { type: Schema.Types.ObjectId, default: null },
    /** Salesforce record that grants it (PermissionSetLicenseAssign / UserPackageLicense id), if any. */
    assignmentId: { type: String, default: null },
    lastLoginAt: { type: Date, default: null },
    userCreatedAt: { type: Date, required: true },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    /** Set when a later sync no longer found it in the org. */
    goneAt: { type: Date, default: null },
  },
  { collection: 'software_subscriptions', versionKey: false },
);
softwareSubscriptionSchema.index({ profileId: 1, syncId: 1, identifier: 1 });
softwareSubscriptionSchema.index({ profileId: 1, syncId: 1, lastLoginAt: 1 });
softwareSubscriptionSchema.index({ profileId: 1, syncId: 1, userId: 1 });

export type SoftwareSubscription = InferSchemaType<typeof softwareSubscriptionSchema>;
