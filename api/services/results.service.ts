/** What the pipeline produced, read back paged with totals; plus the few decisions admins make on it. */
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { notFound } from '../http/problem.js';
import { sortSpec, type Page } from '../http/schemas.js';
import { CANDIDATE_STATUSES, withEmptyFields } from '../../shared/db/models/removalCandidate.model.js';
import { JOB_RUN_STATUSES, RUN_TRIGGERS } from '../../shared/db/models/jobRun.model.js';
import { LICENSE_TYPES } from '../../shared/db/models/softwareModel.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { readListed } from '../../shared/db/candidateLedger.js';
import { readListingPage } from '../../shared/db/candidateListing.js';
import {
  countSubscriptionRows,
  listSubscriptionRows,
  rowsOfUser,
  snapshotOf,
} from '../../shared/db/subscriptionSnapshots.js';
import { readPagedUsers, readPagesHead } from '../../shared/db/subscriptionPages.js';
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
    userId: filterText.optional(),
    /** true: only the users seatwise never reclaims (integration, API-only…), each with why. */
    spared: z.enum(['true', 'false']).optional(),
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

export async function findPage(
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
  return findPage(s.models.SoftwareModel, filter, q, { identifier: 1 });
}

/** Only the rows of the download the profile currently points at; older sets are being replaced. */
export async function listSubscriptions(
  s: Pick<ApiServices, 'models'>,
  profileId: string,
  q: z.infer<typeof subscriptionsQuery>,
) {
  const profile = await loadProfile(s, profileId);
  if (!profile.activeSyncId) return { items: [], total: 0, limit: q.limit, offset: q.offset };
  const query = {
    identifier: q.identifier,
    userId: q.userId,
    username: q.username,
    isActive: q.isActive === undefined ? undefined : q.isActive === 'true',
  };
  const snapshot = snapshotOf(s.models, profile._id, profile.activeSyncId);
  // Rows name their model; the profile's models are a few dozen.
  const models = await s.models.SoftwareModel.find({ profileId: profile._id }, { identifier: 1 }).lean();
  const modelIds = new Map(models.map((m) => [m.identifier, m._id]));
  const modelIdOf = (identifier: string) => modelIds.get(identifier) ?? null;
  const unfiltered = Object.values(query).every((v) => v === undefined);
  const head = unfiltered && (!q.sort || q.sort === 'username') ? await readPagesHead(snapshot) : null;
  if (head) {
    const paged = await readPagedUsers(snapshot, head, q.offset, q.limit);
    const items = paged.flatMap((p) => rowsOfUser(snapshot, p.user, modelIdOf, p.from, p.count));
    return { items: items.map(plain), total: head.rows, limit: q.limit, offset: q.offset };
  }
  const [items, total] = await Promise.all([
    listSubscriptionRows(snapshot, query, sortSpec(q.sort, { username: 1 }), q.offset, q.limit, modelIdOf),
    countSubscriptionRows(snapshot.users, query),
  ]);
  return { items: items.map(plain), total, limit: q.limit, offset: q.offset };
}

export async function listUnrecognized(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof unrecognizedQuery>,
) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  return findPage(s.models.UnrecognizedIdentifier, filter, q, { identifier: 1 });
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

/** The default order (or `createdAt` either way) with no filter: a page is read bucket by bucket. */
async function listedPage(
  s: Pick<ApiServices, 'models'>,
  profileId: string,
  q: z.infer<typeof candidatesQuery>,
) {
  const unfiltered = !q.status && !q.identifier && !q.userId && !q.spared;
  const direction = !q.sort || q.sort === 'createdAt' ? 1 : q.sort === '-createdAt' ? -1 : null;
  if (!unfiltered || direction === null) return null;
  const listed = await readListed(s.models, profileId);
  if (listed === null) return null;
  const items = await readListingPage(
    candidatesOf(s.models, profileId),
    listed,
    q.offset,
    q.limit,
    direction,
  );
  return { items: items.map(plain), total: listed, limit: q.limit, offset: q.offset };
}

export async function listCandidates(
  s: Pick<ApiServices, 'models'>,
  profileId: string,
  q: z.infer<typeof candidatesQuery>,
) {
  // Side by side: the profile only answers whether it exists.
  const [, listed] = await Promise.all([loadProfile(s, profileId), listedPage(s, profileId, q)]);
  if (listed) return withEmptyFieldsShown(listed);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  if (q.identifier) filter.identifier = q.identifier;
  if (q.userId) filter.userId = q.userId;
  if (q.spared === 'true') filter.reason = { $regex: '^spared: ' };
  if (q.spared === 'false') filter.reason = { $not: { $regex: '^spared: ' } };
  return withEmptyFieldsShown(await findPage(candidatesOf(s.models, profileId), filter, q, { createdAt: 1 }));
}

/** Every candidate field in the answer, empty ones as `null` (a new candidate is stored without them). */
function withEmptyFieldsShown<P extends Page<unknown>>(page: P): P {
  return { ...page, items: page.items.map((item) => withEmptyFields(item as object)) };
}

export async function listRuns(s: ApiServices, profileId: string, q: z.infer<typeof runsQuery>) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.status) filter.status = q.status;
  if (q.trigger) filter.trigger = q.trigger;
  if (q.jobName) filter.jobName = q.jobName;
  if (q.runId) filter.runId = q.runId;
  return findPage(s.models.JobRun, filter, q, { queuedAt: -1 });
}

export async function listConsumption(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof consumptionQuery>,
) {
  await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: oid(profileId) };
  if (q.source) filter.source = q.source;
  return findPage(s.models.Consumption, filter, q, { metric: 1 });
}
