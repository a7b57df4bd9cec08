import { Schema, type InferSchemaType } from 'mongoose';

/** A license identifier that maps to no known product, until an admin maps or ignores it. */
export const unrecognizedIdentifierSchema = new Schema(
  {
    profileId: { type: Schema.Types.ObjectId, required: true },
    identifier: { type: String, required: true },
    label: { type: String, required: true },
    subscriptionCount: { type: Number, required: true, default: 0 },
    status: { type: String, required: true, enum: ['open', 'mapped', 'ignored'], default: 'open' },
    /** When mapped: the product it now counts as. */
    mappedProduct: { type: String, default: null },
    decidedBy: { type: String, default: null },
    lastSyncId: { type: String, default: null },
  },
  { timestamps: true, collection: 'unrecognized_identifiers' },
);
unrecognizedIdentifierSchema.index({ profileId: 1, identifier: 1 }, { unique: true });

export type UnrecognizedIdentifier = InferSchemaType<typeof unrecognizedIdentifierSchema>;
