import { Schema, type InferSchemaType } from 'mongoose';

export const GRANT_TYPES = ['authorization_code', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const AUTH_STATUSES = ['not_authorized', 'authorized', 'reauthorization_required'] as const;

/** AES-256-GCM output (shared/crypto/secretBox.ts); never leaves the process decrypted. */
export const encryptedValueSchema = new Schema(
  {
    /** 2: bound to its alias and field (associated data); absent: the first format. */
    v: { type: Number },
    keyId: { type: String, required: true },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    data: { type: String, required: true },
  },
  { _id: false },
);

/**
 * Connection & credential alias (seed terms). The first profile uses the parent alias; each further
 * org gets a child alias (`parentId`). `profileId` records which profile holds the alias: claiming is
 * one conditional update (`{_id, profileId: null}`), so two profiles can never share one.
 */
export const connectionAliasSchema = new Schema(
  {
    name: { type: String, required: true },
    nameKey: { type: String, required: true, unique: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    profileId: { type: Schema.Types.ObjectId, default: null },
    /** My Domain / instance URL; OAuth and REST both go here. */
    instanceUrl: { type: String, required: true },
    grantType: { type: String, required: true, enum: GRANT_TYPES },
    clientId: { type: String, required: true },
    clientSecret: { type: encryptedValueSchema, default: null },
    redirectUrl: { type: String, default: null },
    /**
     * The org the alias was last authorized to, as its identity URL confirmed. Kept when the
     * connection changes and the tokens are discarded, so an authorization to another org is
     * noticed (refused unless an admin confirms it).
     */
    orgId: { type: String, default: null },
    tokens: {
      type: new Schema(
        {
          accessToken: { type: encryptedValueSchema, required: true },
          refreshToken: { type: encryptedValueSchema, default: null },
          /** instance_url as the token response gave it. */
          instanceUrl: { type: String, required: true },
          orgId: { type: String, required: true },
          userId: { type: String, required: true },
          issuedAt: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    authStatus: { type: String, required: true, enum: AUTH_STATUSES, default: 'not_authorized' },
    authError: { type: String, default: null },
    configChangedAt: { type: Date, required: true, default: () => new Date() },
  },
  { timestamps: true, collection: 'connection_aliases' },
);

export type ConnectionAlias = InferSchemaType<typeof connectionAliasSchema>;
