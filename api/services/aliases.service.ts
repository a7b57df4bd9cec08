/** Connection & credential aliases. Secrets are write-only: sealed on the way in, never sent out. */
import { Types } from 'mongoose';
import { z } from 'zod';
import { notFound, validationProblem, type FieldProblem } from '../http/problem.js';
import { conflict, isDuplicateKey, objectId, sortSpec, type Page } from '../http/schemas.js';
import { AUTH_STATUSES, GRANT_TYPES } from '../../shared/db/models/connectionAlias.model.js';
import type { StoredTokens } from '../../shared/db/aliasCredentials.js';
import type { EncryptedValue } from '../../shared/crypto/secretBox.js';
import { endpointProblem } from '../../shared/salesforce/instanceUrl.js';
import type { ApiServices } from './apiServices.js';
import { withAliasLock } from './profiles.service.js';
import { redirectUrlProblem } from './validation.js';

const name = z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');
const url = z.string().trim().min(1).max(2048);
const secret = z.string().min(1, 'must not be empty').max(4096);

export const aliasCreateSchema = z
  .object({
    name,
    parentId: objectId.nullable().optional(),
    instanceUrl: url,
    grantType: z.enum(GRANT_TYPES),
    clientId: z.string().trim().min(1).max(512),
    clientSecret: secret.optional(),
    redirectUrl: url.nullable().optional(),
  })
  .strict()
  .meta({ id: 'AliasCreate' });

export const aliasUpdateSchema = z
  .object({
    name: name.optional(),
    instanceUrl: url.optional(),
    grantType: z.enum(GRANT_TYPES).optional(),
    clientId: z.string().trim().min(1).max(512).optional(),
    clientSecret: secret.optional(),
    redirectUrl: url.nullable().optional(),
  })
  .strict()
  .meta({ id: 'AliasUpdate' });

export const aliasListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    parentId: objectId.optional(),
    authStatus: z.enum(AUTH_STATUSES).optional(),
    sort: z.enum(['name', '-name', 'createdAt', '-createdAt']).optional(),
  })
  .strict();

export const aliasSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    parentId: z.string().nullable(),
    profileId: z.string().nullable(),
    instanceUrl: z.string(),
    grantType: z.enum(GRANT_TYPES),
    clientId: z.string(),
    clientSecretSet: z.boolean(),
    redirectUrl: z.string().nullable(),
    authStatus: z.enum(AUTH_STATUSES),
    authError: z.string().nullable(),
    /** The org the alias belongs to (its first authorization's, identity-verified); kept without tokens. */
    orgId: z.string().nullable(),
    /** Who the tokens belong to; the tokens themselves never leave the server. */
    authorizedOrg: z
      .object({ orgId: z.string(), userId: z.string(), instanceUrl: z.string(), issuedAt: z.string() })
      .nullable(),
    configChangedAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Alias' });

export type AliasView = z.infer<typeof aliasSchema>;

export interface AliasDoc {
  _id: Types.ObjectId;
  name: string;
  parentId?: Types.ObjectId | null;
  profileId?: Types.ObjectId | null;
  instanceUrl: string;
  grantType: (typeof GRANT_TYPES)[number];
  clientId: string;
  clientSecret?: EncryptedValue | null;
  redirectUrl?: string | null;
  orgId?: string | null;
  tokens?: StoredTokens | null;
  authStatus: (typeof AUTH_STATUSES)[number];
  authError?: string | null;
  configChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export function toAliasView(a: AliasDoc): AliasView {
  return {
    id: String(a._id),
    name: a.name,
    parentId: a.parentId ? String(a.parentId) : null,
    profileId: a.profileId ? String(a.profileId) : null,
    instanceUrl: a.instanceUrl,
    grantType: a.grantType,
    clientId: a.clientId,
    clientSecretSet: Boolean(a.clientSecret),
    redirectUrl: a.redirectUrl ?? null,
    authStatus: a.authStatus,
    authError: a.authError ?? null,
    orgId: a.orgId ?? a.tokens?.orgId ?? null,
    authorizedOrg: a.tokens
      ? {
          orgId: a.tokens.orgId,
          userId: a.tokens.userId,
          instanceUrl: a.tokens.instanceUrl,
          issuedAt: a.tokens.issuedAt.toISOString(),
        }
      : null,
    configChangedAt: a.configChangedAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export async function loadAlias(s: ApiServices, id: string): Promise<AliasDoc> {
  const alias = await s.models.ConnectionAlias.findById(id).lean<AliasDoc>();
  if (!alias) throw notFound('alias', id);
  return alias;
}

function urlProblems(
  s: ApiServices,
  input: { instanceUrl?: string; redirectUrl?: string | null },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.instanceUrl !== undefined) {
    const p = endpointProblem(input.instanceUrl.trim().replace(/\/+$/, ''), s.config.salesforce.endpoints);
    if (p) problems.push({ field: 'body.instanceUrl', message: p });
  }
  if (input.redirectUrl) {
    const p = redirectUrlProblem(input.redirectUrl);
    if (p) problems.push({ field: 'body.redirectUrl', message: p });
  }
  return problems;
}

function duplicateName(value: string) {
  return conflict('DUPLICATE_NAME', `an alias named "${value}" already exists`, {
    errors: [{ field: 'body.name', message: 'is already taken (names are case-insensitive)' }],
  });
}

export async function createAlias(
  s: ApiServices,
  input: z.infer<typeof aliasCreateSchema>,
): Promise<AliasView> {
  const problems = urlProblems(s, input);
  if (problems.length > 0) throw validationProblem(problems);
  if (input.parentId) {
    const parent = await s.models.ConnectionAlias.findById(input.parentId).select({ parentId: 1 }).lean();
    if (!parent) throw validationProblem([{ field: 'body.parentId', message: 'no such alias' }], 422);
    if (parent.parentId) {
      throw validationProblem(
        [{ field: 'body.parentId', message: 'must be a parent alias (children have no children)' }],
        422,
      );
    }
  }
  const existing = await s.models.ConnectionAlias.findOne({ nameKey: input.name.toLowerCase() })
    .select({ _id: 1 })
    .lean();
  if (existing) throw duplicateName(input.name);
  try {
    // The id exists before the insert: the secret is sealed bound to it.
    const _id = new Types.ObjectId();
    const doc = await s.models.ConnectionAlias.create({
      _id,
      name: input.name,
      nameKey: input.name.toLowerCase(),
      parentId: input.parentId ?? null,
      instanceUrl: input.instanceUrl.replace(/\/+$/, ''),
      grantType: input.grantType,
      clientId: input.clientId,
      clientSecret: input.clientSecret
        ? s.box.seal(input.clientSecret, { aliasId: String(_id), field: 'clientSecret' })
        : null,
      redirectUrl: input.redirectUrl ?? null,
      configChangedAt: new Date(),
    });
    return toAliasView(doc.toObject() as unknown as AliasDoc);
  } catch (error) {
    if (isDuplicateKey(error)) throw duplicateName(input.name);
    throw error;
  }
}

export async function listAliases(
  s: ApiServices,
  q: z.infer<typeof aliasListQuery>,
): Promise<Page<AliasView>> {
  const filter: Record<string, unknown> = {};
  if (q.parentId) filter.parentId = new Types.ObjectId(q.parentId);
  if (q.authStatus) filter.authStatus = q.authStatus;
  const [items, total] = await Promise.all([
    s.models.ConnectionAlias.find(filter)
      .sort(sortSpec(q.sort, { createdAt: 1 }))
      .skip(q.offset)
      .limit(q.limit)
      .lean<AliasDoc[]>(),
    s.models.ConnectionAlias.countDocuments(filter),
  ]);
  return { items: items.map(toAliasView), total, limit: q.limit, offset: q.offset };
}

/**
 * Changing where or as whom we connect (instance URL, client id, grant type) discards the sealed
 * client secret and the tokens: the secret was entered for that host and app, and must not be
 * sent to another one by whoever can edit the alias (an integrator re-pointing it); an admin
 * enters it again (in the same request or later) and re-authorizes. Any validation is void too:
 * `configChangedAt` moves.
 */
export async function updateAlias(
  s: ApiServices,
  id: string,
  input: z.infer<typeof aliasUpdateSchema>,
): Promise<AliasView> {
  const current = await loadAlias(s, id);
  const problems = urlProblems(s, input);
  if (problems.length > 0) throw validationProblem(problems);
  const set: Record<string, unknown> = {};
  if (input.name !== undefined && input.name !== current.name) {
    const holder = await s.models.ConnectionAlias.findOne({ nameKey: input.name.toLowerCase() })
      .select({ _id: 1 })
      .lean();
    if (holder && String(holder._id) !== id) throw duplicateName(input.name);
    set.name = input.name;
    set.nameKey = input.name.toLowerCase();
  }
  const instanceUrl = input.instanceUrl?.replace(/\/+$/, '');
  // Another host or app: the secret and tokens were the old one's. A new secret alone keeps the
  // tokens (refresh uses it).
  const connectionChanged =
    (instanceUrl !== undefined && instanceUrl !== current.instanceUrl) ||
    (input.grantType !== undefined && input.grantType !== current.grantType) ||
    (input.clientId !== undefined && input.clientId !== current.clientId);
  const secretChanged = input.clientSecret !== undefined;
  if (connectionChanged && current.profileId) {
    const holder = await s.models.IntegrationProfile.findById(current.profileId)
      .select({ displayName: 1, status: 1 })
      .lean();
    if (holder?.status === 'published') {
      throw conflict(
        'ALIAS_IN_USE',
        `alias is used by published profile "${holder.displayName}"; pause it before changing the connection`,
        { holderProfileId: String(current.profileId) },
      );
    }
  }
  if (instanceUrl !== undefined) set.instanceUrl = instanceUrl;
  if (input.grantType !== undefined) set.grantType = input.grantType;
  if (input.clientId !== undefined) set.clientId = input.clientId;
  if (input.clientSecret !== undefined)
    set.clientSecret = s.box.seal(input.clientSecret, {
      aliasId: String(current._id),
      field: 'clientSecret',
    });
  if (input.redirectUrl !== undefined) set.redirectUrl = input.redirectUrl;
  if (connectionChanged || secretChanged) set.configChangedAt = new Date();
  if (connectionChanged) {
    if (input.clientSecret === undefined) set.clientSecret = null;
    set.tokens = null;
    set.authStatus = 'not_authorized';
    set.authError = null;
  }
  try {
    const updated = await s.models.ConnectionAlias.findOneAndUpdate(
      { _id: id },
      { $set: set },
      { returnDocument: 'after' },
    ).lean<AliasDoc>();
    if (!updated) throw notFound('alias', id);
    return toAliasView(updated);
  } catch (error) {
    if (isDuplicateKey(error)) throw duplicateName(input.name ?? current.name);
    throw error;
  }
}

export async function deleteAlias(s: ApiServices, id: string): Promise<void> {
  const alias = await loadAlias(s, id);
  if (alias.profileId) {
    const holder = await s.models.IntegrationProfile.findById(alias.profileId)
      .select({ displayName: 1 })
      .lean();
    throw conflict(
      'ALIAS_IN_USE',
      `alias is used by profile "${holder?.displayName ?? String(alias.profileId)}"`,
      {
        holderProfileId: String(alias.profileId),
      },
    );
  }
  const child = await s.models.ConnectionAlias.findOne({ parentId: alias._id }).select({ name: 1 }).lean();
  if (child)
    throw conflict('ALIAS_HAS_CHILDREN', `alias has child aliases (e.g. "${child.name}"); delete them first`);
  const deleted = await withAliasLock(s, id, () =>
    s.models.ConnectionAlias.deleteOne({ _id: id, profileId: null }),
  );
  if (deleted.deletedCount !== 1) throw conflict('ALIAS_IN_USE', 'alias was claimed by a profile meanwhile');
}
