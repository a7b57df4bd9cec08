/** Integration profiles: create, change, delete; claiming an alias so no two profiles share one. */
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem, notFound, validationProblem } from '../http/problem.js';
import { conflict, isDuplicateKey, objectId, sortSpec, type Page } from '../http/schemas.js';
import { PROFILE_STATUSES } from '../../shared/db/models/integrationProfile.model.js';
import { candidatesOf, dropProfileCollections } from '../../shared/db/profileCollections.js';
import type { ApiServices } from './apiServices.js';
import { withRedisLock } from './redisLock.js';
import { cronProblem, isValidTimezone } from './validation.js';

const displayName = z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');

const subflowsInput = z
  .object({
    downloadSubscriptions: z
      .boolean()
      .refine((v) => v, 'download subscriptions is always on: every other subflow needs its data')
      .optional(),
    reclaimSubscriptions: z.boolean().optional(),
    downloadConsumption: z.boolean().optional(),
  })
  .strict();

const scheduleInput = z
  .object({
    cron: z.string().max(200).default('0 3 * * *'),
    timezone: z.string().max(64).refine(isValidTimezone, 'is not a known IANA time zone').default('UTC'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const problem = cronProblem(s.cron, s.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
  });

export const profileCreateSchema = z
  .object({
    displayName,
    profileType: z.literal('salesforce_crm').default('salesforce_crm'),
    subflows: subflowsInput.optional(),
    schedule: scheduleInput.optional(),
    aliasId: objectId.nullable().optional(),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ProfileCreate' });

export const profileUpdateSchema = z
  .object({
    displayName: displayName.optional(),
    subflows: subflowsInput.optional(),
    schedule: scheduleInput.optional(),
    aliasId: objectId.nullable().optional(),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ProfileUpdate' });

export const profileListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    status: z.enum(PROFILE_STATUSES).optional(),
    sort: z.enum(['displayName', '-displayName', 'createdAt', '-createdAt', 'status', '-status']).optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    profileType: z.literal('salesforce_crm'),
    status: z.enum(PROFILE_STATUSES),
    subflows: z.object({
      downloadSubscriptions: z.boolean(),
      reclaimSubscriptions: z.boolean(),
      downloadConsumption: z.boolean(),
    }),
    aliasId: z.string().nullable(),
    schedule: z.object({ cron: z.string(), timezone: z.string() }),
    dryRun: z.boolean(),
    /** Set while reclaim is stopped for this profile (`POST …/reclaim/stop`): no write is sent. */
    reclaimStop: z.object({ by: z.string(), at: z.string(), reason: z.string().nullable() }).nullable(),
    lastValidation: z
      .object({
        runId: z.string(),
        ok: z.boolean(),
        at: z.string(),
        checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().nullable() })),
      })
      .nullable(),
    configChangedAt: z.string(),
    currentRunId: z.string().nullable(),
    lastRunId: z.string().nullable(),
    activeSyncId: z.string().nullable(),
    createdBy: z.string(),
    updatedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Profile' });

export type ProfileView = z.infer<typeof profileSchema>;

interface ProfileDoc {
  _id: Types.ObjectId;
  displayName: string;
  status: (typeof PROFILE_STATUSES)[number];
  subflows: { downloadSubscriptions: boolean; reclaimSubscriptions: boolean; downloadConsumption: boolean };
  aliasId?: Types.ObjectId | null;
  schedule: { cron: string; timezone: string };
  dryRun: boolean;
  reclaimStop?: { by: string; at: Date; reason?: string | null } | null;
  lastValidation?: {
    runId: string;
    ok: boolean;
    at: Date;
    checks: { name: string; ok: boolean; detail?: string | null }[];
  } | null;
  configChangedAt: Date;
  currentRunId?: string | null;
  lastRunId?: string | null;
  activeSyncId?: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export function toProfileView(p: ProfileDoc): ProfileView {
  return {
    id: String(p._id),
    displayName: p.displayName,
    profileType: 'salesforce_crm',
    status: p.status,
    subflows: {
      downloadSubscriptions: p.subflows.downloadSubscriptions,
      reclaimSubscriptions: p.subflows.reclaimSubscriptions,
      downloadConsumption: p.subflows.downloadConsumption,
    },
    aliasId: p.aliasId ? String(p.aliasId) : null,
    schedule: { cron: p.schedule.cron, timezone: p.schedule.timezone },
    dryRun: p.dryRun,
    reclaimStop: p.reclaimStop
      ? { by: p.reclaimStop.by, at: p.reclaimStop.at.toISOString(), reason: p.reclaimStop.reason ?? null }
      : null,
    lastValidation: p.lastValidation
      ? {
          runId: p.lastValidation.runId,
          ok: p.lastValidation.ok,
          at: p.lastValidation.at.toISOString(),
          checks: p.lastValidation.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail ?? null })),
        }
      : null,
    configChangedAt: p.configChangedAt.toISOString(),
    currentRunId: p.currentRunId ?? null,
    lastRunId: p.lastRunId ?? null,
    activeSyncId: p.activeSyncId ?? null,
    createdBy: p.createdBy,
    updatedBy: p.updatedBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export async function loadProfile(s: Pick<ApiServices, 'models'>, id: string): Promise<ProfileDoc> {
  const profile = await s.models.IntegrationProfile.findById(id).lean<ProfileDoc>();
  if (!profile) throw notFound('profile', id);
  return profile;
}

async function assertNameFree(s: ApiServices, name: string, exceptId?: string): Promise<void> {
  const holder = await s.models.IntegrationProfile.findOne({ displayNameKey: name.toLowerCase() })
    .select({ _id: 1 })
    .lean();
  if (holder && String(holder._id) !== exceptId) throw duplicateName(name);
}

function duplicateName(name: string): ApiProblem {
  return conflict('DUPLICATE_NAME', `a profile named "${name}" already exists`, {
    errors: [{ field: 'body.displayName', message: 'is already taken (names are case-insensitive)' }],
  });
}

/** Serializes claims of one alias across api processes (see redisLock.ts for why). */
export async function withAliasLock<T>(s: ApiServices, aliasId: string, work: () => Promise<T>): Promise<T> {
  return withRedisLock(
    s,
    `alias-claim:${aliasId}`,
    'the alias is being claimed by another request; try again',
    work,
  );
}

/**
 * One conditional update (`{_id, profileId: null}`) under the alias's lock: the alias is taken only
 * if nobody holds it, so two profiles never share one. Refusals name the holder.
 */
export async function claimAlias(s: ApiServices, aliasId: string, profileId: Types.ObjectId): Promise<void> {
  const claimed = await withAliasLock(s, aliasId, () =>
    s.models.ConnectionAlias.updateOne({ _id: aliasId, profileId: null }, { $set: { profileId } }),
  );
  if (claimed.matchedCount === 1) return;
  const alias = await s.models.ConnectionAlias.findById(aliasId).select({ profileId: 1, name: 1 }).lean();
  if (!alias) {
    throw validationProblem([{ field: 'body.aliasId', message: `alias ${aliasId} does not exist` }], 422);
  }
  if (alias.profileId && String(alias.profileId) === String(profileId)) return;
  const holder = alias.profileId
    ? await s.models.IntegrationProfile.findById(alias.profileId).select({ displayName: 1 }).lean()
    : null;
  throw conflict(
    'ALIAS_IN_USE',
    `alias "${alias.name}" is used by profile "${holder?.displayName ?? String(alias.profileId)}"; each further profile needs a child alias of its own`,
    {
      holderProfileId: alias.profileId ? String(alias.profileId) : null,
      holderProfileName: holder?.displayName ?? null,
      errors: [{ field: 'body.aliasId', message: 'is used by another profile' }],
    },
  );
}

export async function releaseAlias(
  s: ApiServices,
  aliasId: unknown,
  profileId: Types.ObjectId,
): Promise<void> {
  await s.models.ConnectionAlias.updateOne({ _id: aliasId, profileId }, { $set: { profileId: null } });
}

export async function createProfile(
  s: ApiServices,
  input: z.infer<typeof profileCreateSchema>,
  actor: Actor,
): Promise<ProfileView> {
  await assertNameFree(s, input.displayName);
  const id = new Types.ObjectId();
  if (input.aliasId) await claimAlias(s, input.aliasId, id);
  try {
    const doc = await s.models.IntegrationProfile.create({
      _id: id,
      displayName: input.displayName,
      displayNameKey: input.displayName.toLowerCase(),
      profileType: 'salesforce_crm',
      status: 'draft',
      subflows: {
        downloadSubscriptions: true,
        reclaimSubscriptions: input.subflows?.reclaimSubscriptions ?? true,
        downloadConsumption: input.subflows?.downloadConsumption ?? true,
      },
      aliasId: input.aliasId ?? null,
      schedule: input.schedule ?? { cron: '0 3 * * *', timezone: 'UTC' },
      dryRun: input.dryRun ?? false,
      configChangedAt: new Date(),
      createdBy: actor.name,
      updatedBy: actor.name,
    });
    return toProfileView(doc.toObject() as unknown as ProfileDoc);
  } catch (error) {
    // Compensate: the alias claim must not outlive a profile that was never written.
    if (input.aliasId) await releaseAlias(s, input.aliasId, id);
    if (isDuplicateKey(error)) throw duplicateName(input.displayName);
    throw error;
  }
}

export async function listProfiles(
  s: ApiServices,
  q: z.infer<typeof profileListQuery>,
): Promise<Page<ProfileView>> {
  const filter = q.status ? { status: q.status } : {};
  const [items, total] = await Promise.all([
    s.models.IntegrationProfile.find(filter)
      .sort(sortSpec(q.sort, { createdAt: 1 }))
      .skip(q.offset)
      .limit(q.limit)
      .lean<ProfileDoc[]>(),
    s.models.IntegrationProfile.countDocuments(filter),
  ]);
  return { items: items.map(toProfileView), total, limit: q.limit, offset: q.offset };
}

export async function updateProfile(
  s: ApiServices,
  id: string,
  input: z.infer<typeof profileUpdateSchema>,
  actor: Actor,
): Promise<ProfileView> {
  const current = await loadProfile(s, id);
  const set: Record<string, unknown> = { updatedBy: actor.name };
  let validationRelevant = false;
  if (input.displayName !== undefined && input.displayName !== current.displayName) {
    await assertNameFree(s, input.displayName, id);
    set.displayName = input.displayName;
    set.displayNameKey = input.displayName.toLowerCase();
  }
  if (input.subflows) {
    for (const [k, v] of Object.entries(input.subflows)) {
      if (v === undefined) continue;
      if (current.subflows[k as keyof ProfileDoc['subflows']] !== v) validationRelevant = true;
      set[`subflows.${k}`] = v;
    }
  }
  if (input.schedule) set.schedule = input.schedule;
  if (input.dryRun !== undefined) set.dryRun = input.dryRun;
  const newAlias = input.aliasId === undefined ? undefined : input.aliasId;
  const oldAlias = current.aliasId ? String(current.aliasId) : null;
  const aliasChanges = newAlias !== undefined && newAlias !== oldAlias;
  if (aliasChanges) {
    if (current.status === 'published') {
      throw conflict('PROFILE_PUBLISHED', 'pause the profile before changing its alias', {
        errors: [{ field: 'body.aliasId', message: 'cannot change while published' }],
      });
    }
    set.aliasId = newAlias;
    validationRelevant = true;
  }
  if (validationRelevant) set.configChangedAt = new Date();
  if (aliasChanges && newAlias) await claimAlias(s, newAlias, current._id);
  let updated: ProfileDoc | null;
  try {
    updated = await s.models.IntegrationProfile.findOneAndUpdate(
      { _id: id },
      { $set: set },
      { returnDocument: 'after' },
    ).lean<ProfileDoc>();
  } catch (error) {
    if (aliasChanges && newAlias) await releaseAlias(s, newAlias, current._id);
    if (isDuplicateKey(error)) throw duplicateName(input.displayName ?? current.displayName);
    throw error;
  }
  if (!updated) {
    if (aliasChanges && newAlias) await releaseAlias(s, newAlias, current._id);
    throw notFound('profile', id);
  }
  if (aliasChanges && oldAlias) await releaseAlias(s, oldAlias, current._id);
  if (input.schedule && updated.status === 'published') {
    try {
      await s.pipeline.scheduleProfile(s.pipelineDeps, id);
    } catch (error) {
      // The stored schedule must stay the one that is registered.
      await s.models.IntegrationProfile.updateOne({ _id: id }, { $set: { schedule: current.schedule } });
      throw error;
    }
  }
  return toProfileView(updated);
}

/**
 * A frozen user waits for this profile to deactivate or release them, and an interrupted write for
 * this profile to settle it: deleting the profile would leave them frozen with no one to undo it.
 * The audit outlives the profile; snapshots go with it (nothing could replay them without its alias).
 */
async function refuseWhileUsersAreHeld(s: ApiServices, profileId: Types.ObjectId): Promise<void> {
  const held = await candidatesOf(s.models, profileId).countDocuments({
    status: { $in: ['frozen', 'reclaiming'] },
  });
  if (held > 0) {
    throw conflict(
      'PROFILE_HOLDS_USERS',
      `${held} user(s) are frozen or mid-write under this profile; undo or finish their reclaim before deleting it`,
      { held },
    );
  }
}

/**
 * Drafts go freely; anything else only with `force` (admins), and then its scheduler and jobs
 * first, its data next and the profile last, so a failure midway leaves a profile a retry finishes.
 */
export async function deleteProfile(s: ApiServices, id: string, force: boolean, actor: Actor): Promise<void> {
  const profile = await loadProfile(s, id);
  if (force && actor.role !== 'admin') {
    throw new ApiProblem(403, 'FORBIDDEN', 'only admins may force-delete a profile', {
      errors: [{ field: 'query.force', message: 'needs role admin' }],
    });
  }
  if (profile.status !== 'draft' && !force) {
    throw conflict(
      'PROFILE_NOT_DRAFT',
      `profile is ${profile.status}; only drafts can be deleted without ?force=true`,
      {
        status: profile.status,
      },
    );
  }
  await refuseWhileUsersAreHeld(s, profile._id);
  if (force) await s.pipeline.purgeProfileJobs(s.pipelineDeps, id);
  const byProfile = { profileId: profile._id };
  const m = s.models;
  await Promise.all([
    m.ReclaimSnapshot.deleteMany(byProfile),
    m.ReclaimUndo.deleteMany(byProfile),
    m.ExclusionRule.deleteMany(byProfile),
    m.ReclamationRule.deleteMany(byProfile),
    dropProfileCollections(m, profile._id),
    m.SoftwareModel.deleteMany(byProfile),
    m.UnrecognizedIdentifier.deleteMany(byProfile),
    m.Consumption.deleteMany(byProfile),
    m.LicenseEntitlement.deleteMany(byProfile),
    m.ProfilePricing.deleteMany(byProfile),
    m.SavingsHistory.deleteMany(byProfile),
  ]);
  if (profile.aliasId) await releaseAlias(s, profile.aliasId, profile._id);
  await m.IntegrationProfile.deleteOne({ _id: profile._id });
}
