/** What the pipeline produced, read back paged with totals; plus the few decisions admins make on it. */
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem, notFound } from '../http/problem.js';
import { conflict, sortSpec, type Page } from '../http/schemas.js';
import { CANDIDATE_STATUSES } from '../../shared/db/models/removalCandidate.model.js';
import { JOB_RUN_STATUSES, RUN_TRIGGERS } from '../../shared/db/models/jobRun.model.js';
import { LICENSE_TYPES } from '../../shared/db/models/softwareModel.model.js';
import { candidatesOf, subscriptionsOf } from '../../shared/db/profileCollections.js';
import type { ApiServices } from './apiServices.js';
import { plain } from './plain.js';
import { loadProfile } from './profiles.service.js';

const limit = z.coerce.number().int().min(1).max(500).default(50);
const offset = z.coerce.number().int().min(0).max(10_000_000).default(0);
const filterText = z.string().min(1).max(256);
const sortOf = (...fields: string[]) =>
  z.enum(fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]]).optional();

export const modelsQuery = z
  .object({
    limit,
    offset,
    licenseType: z.enum(LICENSE_TYPES).optional(),
    identifier: filterText.optional(),
    sort: sortOf('identifier', 'label', 'assignedCount', 'usedLicenses'),
  })
  .strict();
export const subscriptionsQuery = z
  .object({
    limit,
    offset,
    identifier: filterText.optional(),
    userId: filterText.optional(),
    username: filterText.optional(),
    isActive: z.enum(['true', 'false']).optional(),
    sort: sortOf('username', 'identifier', 'lastLoginAt', 'userCreatedAt'),
  })
  .strict();
export const unrecognizedQuery = z
  .object({
    limit,
    offset,
    status: z.enum(['open', 'mapped', 'ignored']).optional(),
    sort: sortOf('identifier', 'subscriptionCount'),
  })
  .strict();
export const candidatesQuery = z
  .object({
    limit,
    offset,
    status: z.enum(CANDIDATE_STATUSES).optional(),
    identifier: filterText.optional(),
    sort: sortOf('username', 'identifier', 'status', 'createdAt'),
  })
  .strict();
export const runsQuery = z
  .object({
    limit,
    offset,
    status: z.enum(JOB_RUN_STATUSES).optional(),
    trigger: z.enum(RUN_TRIGGERS).optional(),
    jobName: filterText.optional(),
    runId: filterText.optional(),
    sort: sortOf('queuedAt', 'finishedAt', 'jobName'),
  })
  .strict();
export const consumptionQuery = z
  .object({
    limit,
    offset,
    source: z.enum(['limits', 'usage_entitlement']).optional(),
    sort: sortOf('metric', 'used'),
  })
  .strict();

export const mapIdentifierSchema = z
  .object({ product: z.string().trim().min(1).max(200) })
  .strict()
  .meta({ id: 'MapIdentifier' });

export const candidateDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    ids: z.array(z.string().min(1).max(200)).min(1).max(500),
  })
  .strict()
  .meta({ id: 'CandidateDecision' });

export const decisionResultSchema = z
  .object({ decided: z.array(z.string()), status: z.enum(['ready', 'rejected']) })
  .meta({ id: 'CandidateDecisionResult' });

async function page(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one helper over ten mongoose models
  model: any,
  filter: Record<string, unknown>,
  q: { limit: number; offset: number; sort?: string },
  fallback: Record<string, 1 | -1>,
): Promise<Page<unknown>> {
  const [items, total] = await Promise.all([
    model.find(filter).sort(sortSpec(q.sort, fallback)).skip(q.offset).limit(q.limit).lean() as Promise<
      unknown[]
    >,
    model.countDocuments(filter) as Promise<number>,
  ]);
  return { items: items.map(plain), total, limit: q.limit, offset: q.offset };
}

const oid = (id: string) => new Types.ObjectId(id);

export async function listModels(s: ApiServices, profileId: string, q: z.infer<typeof modelsQuery>) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.licenseType) filter.licenseType = q.licenseType;
  if (q.identifier) filter.identifier = q.identifier;
  return page(s.models.SoftwareModel, filter, q, { identifier: 1 });
}

/** Only the rows of the download the profile currently points at; older sets are being replaced. */
export async function listSubscriptions(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof subscriptionsQuery>,
) {
  const profile = await loadProfile(s, profileId);
  if (!profile.activeSyncId) return { items: [], total: 0, limit: q.limit, offset: q.offset };
  const filter: Record<string, unknown> = { profileId: profile._id, syncId: profile.activeSyncId };
  if (q.identifier) filter.identifier = q.identifier;
  if (q.userId) filter.userId = q.userId;
  if (q.username) filter.username = q.username;
  if (q.isActive) filter.isActive = q.isActive === 'true';
  return page(subscriptionsOf(s.models, profile._id), filter, q, { username: 1 });
}

export async function listUnrecognized(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof unrecognizedQuery>,
) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  return page(s.models.UnrecognizedIdentifier, filter, q, { identifier: 1 });
}

export async function decideUnrecognized(
  s: ApiServices,
  profileId: string,
  id: string,
  decision: { status: 'mapped'; product: string } | { status: 'ignored' },
  actor: Actor,
) {
  const set = {
    status: decision.status,
    mappedProduct: decision.status === 'mapped' ? decision.product : null,
    decidedBy: actor.name,
  };
  const updated = await s.models.UnrecognizedIdentifier.findOneAndUpdate(
    { _id: id, profileId: oid(profileId) },
    { $set: set },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw notFound('unrecognized identifier', id);
  return plain(updated);
}

export async function listCandidates(s: ApiServices, profileId: string, q: z.infer<typeof candidatesQuery>) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  if (q.identifier) filter.identifier = q.identifier;
  return page(candidatesOf(s.models, profileId), filter, q, { createdAt: 1 });
}

/**
 * pending → ready (approve) or rejected. All named candidates must be pending, or nothing changes;
 * the update itself is conditional on `pending` again, so a concurrent reclaim is never overridden.
 */
export async function decideCandidates(
  s: ApiServices,
  profileId: string,
  input: z.infer<typeof candidateDecisionSchema>,
  actor: Actor,
) {
  await loadProfile(s, profileId);
  const ids = [...new Set(input.ids)];
  const found = await candidatesOf(s.models, profileId)
    .find({ _id: { $in: ids }, profileId: oid(profileId) })
    .select({ status: 1 })
    .lean();
  const byId = new Map(found.map((c) => [String(c._id), c.status]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw notFoundMany(unknown);
  }
  const notPending = ids.filter((id) => byId.get(id) !== 'pending');
  if (notPending.length > 0) {
    throw conflict(
      'INVALID_TRANSITION',
      `only pending candidates can be decided; not pending: ${notPending.join(', ')}`,
      {
        notPending: notPending.map((id) => ({ id, status: byId.get(id) })),
      },
    );
  }
  const status = input.decision === 'approve' ? 'ready' : 'rejected';
  const decided: string[] = [];
  // Small chunks: FerretDB handles many-document updates slowly.
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = ids.slice(i, i + 50);
    await candidatesOf(s.models, profileId).updateMany(
      { _id: { $in: chunk }, profileId: oid(profileId), status: 'pending' },
      { $set: { status, decidedBy: actor.name, decidedAt: new Date() } },
    );
  }
  const after = await candidatesOf(s.models, profileId)
    .find({ _id: { $in: ids }, decidedBy: actor.name, status })
    .select({ _id: 1 })
    .lean();
  for (const c of after) decided.push(String(c._id));
  return { decided, status };
}

function notFoundMany(ids: string[]) {
  return new ApiProblem(404, 'NOT_FOUND', `no such removal candidates: ${ids.join(', ')}`, {
    errors: ids.map((id) => ({ field: 'body.ids', message: `${id} does not exist` })),
  });
}

export async function listRuns(s: ApiServices, profileId: string, q: z.infer<typeof runsQuery>) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  if (q.trigger) filter.trigger = q.trigger;
  if (q.jobName) filter.jobName = q.jobName;
  if (q.runId) filter.runId = q.runId;
  return page(s.models.JobRun, filter, q, { queuedAt: -1 });
}

export async function listConsumption(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof consumptionQuery>,
) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.source) filter.source = q.source;
  return page(s.models.Consumption, filter, q, { metric: 1 });
}
