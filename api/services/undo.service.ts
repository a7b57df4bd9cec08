/**
 * Undo requests and the snapshots they restore from. The api records the request (a ReclaimUndo
 * document), audits it and enqueues the `reclaimUndo` job; the worker restores each user from the
 * snapshots taken before the writes and reports per user in the same document.
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem, notFound } from '../http/problem.js';
import { runId, salesforceId } from '../http/schemas.js';
import { appendAudit } from '../../shared/db/auditLog.js';
import { UNDO_STATUSES } from '../../shared/db/models/reclaimUndo.model.js';
import { enqueueReclaimUndo } from '../../shared/pipeline/reclaimUndo.js';
import type { ApiServices } from './apiServices.js';
import { plain } from './plain.js';
import { loadProfile } from './profiles.service.js';
import { findPage } from './results.service.js';

export const MAX_UNDO_USERS = 1_000;

export const undoRequestSchema = z
  .object({
    /** Undo every write of this reclaim run. */
    runId: runId.optional(),
    /** Or undo these users' reclaims (15- or 18-character Salesforce ids). */
    userIds: z.array(salesforceId).min(1).max(MAX_UNDO_USERS).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.runId !== undefined && v.userIds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['userIds'], message: 'give runId or userIds, not both' });
    } else if (v.runId === undefined && v.userIds === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs runId or userIds' });
    }
  })
  .meta({ id: 'UndoRequest' });

export type UndoRequest = z.infer<typeof undoRequestSchema>;

export const undoSchema = z.record(z.string(), z.unknown()).meta({ id: 'ReclaimUndo' });
export const snapshotSchema = z.record(z.string(), z.unknown()).meta({ id: 'ReclaimSnapshot' });

const limit = z.coerce.number().int().min(1).max(500).default(50);
const offset = z.coerce.number().int().min(0).max(10_000_000).default(0);

export const undoListQuery = z
  .object({
    limit,
    offset,
    status: z.enum(UNDO_STATUSES).optional(),
    sort: z.enum(['requestedAt', '-requestedAt']).optional(),
  })
  .strict();

export const snapshotListQuery = z
  .object({
    limit,
    offset,
    runId: runId.optional(),
    userId: salesforceId.optional(),
    sort: z.enum(['takenAt', '-takenAt']).optional(),
  })
  .strict();

/**
 * Records and enqueues an undo. Every user named must have a snapshot (else 404 naming those that
 * have none: an undo that silently skips someone would surprise); a run must have at least one.
 */
export async function requestUndo(s: ApiServices, profileId: string, input: UndoRequest, actor: Actor) {
  const profile = await loadProfile(s, profileId);
  const pid = profile._id;
  let users: { userId: string; username: string | null }[] = [];
  if (input.runId !== undefined) {
    const any = await s.models.ReclaimSnapshot.findOne({ profileId: pid, runId: input.runId })
      .select({ _id: 1 })
      .lean();
    if (!any) {
      throw new ApiProblem(404, 'NOT_FOUND', `run ${input.runId} has no reclaim snapshot to undo`, {
        errors: [{ field: 'body.runId', message: 'has no reclaim snapshot in this profile' }],
      });
    }
  } else {
    const wanted = [...new Set(input.userIds)];
    const found = await s.models.ReclaimSnapshot.find({ profileId: pid, userId: { $in: wanted } })
      .select({ userId: 1, username: 1 })
      .lean<{ userId: string; username?: string | null }[]>();
    const usernameOf = new Map(found.map((f) => [f.userId, f.username ?? null]));
    const missing = wanted.filter((id) => !usernameOf.has(id));
    if (missing.length > 0) {
      throw new ApiProblem(404, 'NOT_FOUND', `no reclaim snapshot for users: ${missing.join(', ')}`, {
        unknown: missing,
        errors: missing.map((id) => ({ field: 'body.userIds', message: `${id} has no reclaim snapshot` })),
      });
    }
    users = wanted.map((userId) => ({ userId, username: usernameOf.get(userId) ?? null }));
  }

  const requestedAt = new Date();
  const undo = await s.models.ReclaimUndo.create({
    profileId: pid,
    scope:
      input.runId !== undefined
        ? { runId: input.runId }
        : { runId: null, userIds: users.map((u) => u.userId) },
    requestedBy: actor.name,
    requestedAt,
    status: 'queued',
  });
  const undoId = String(undo._id);
  const audit = (outcome: string) => {
    const common = {
      at: new Date(),
      profileId: pid,
      action: 'undo_requested' as const,
      actor: actor.name,
      outcome,
      evidence: {
        undoId,
        scope: input.runId !== undefined ? { runId: input.runId } : { userIds: users.map((u) => u.userId) },
      },
    };
    return appendAudit(
      s.models,
      input.runId !== undefined
        ? [{ ...common, runId: input.runId }]
        : users.map((u) => ({ ...common, userId: u.userId, username: u.username })),
    );
  };
  // Audited before the job exists, so no undo can run that the trail does not show.
  await audit('queued');
  try {
    await enqueueReclaimUndo(s.pipelineDeps, { profileId: String(pid), undoId });
  } catch (error) {
    // The record must not say queued when nothing will ever run it.
    await s.models.ReclaimUndo.updateOne(
      { _id: undo._id, status: 'queued' },
      { $set: { status: 'failed', finishedAt: new Date(), error: 'the undo job could not be queued' } },
    ).catch(() => undefined);
    await audit('enqueue_failed').catch(() => undefined);
    s.log.error({ errMessage: (error as Error).message, undoId }, 'undo enqueue failed');
    throw new ApiProblem(503, 'QUEUE_UNAVAILABLE', 'the undo could not be queued; try again');
  }
  return plain(undo.toObject());
}

export async function listUndos(s: ApiServices, profileId: string, q: z.infer<typeof undoListQuery>) {
  const profile = await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: profile._id };
  if (q.status) filter.status = q.status;
  return findPage(s.models.ReclaimUndo, filter, q, { requestedAt: -1 });
}

export async function getUndo(s: ApiServices, profileId: string, undoId: string) {
  const profile = await loadProfile(s, profileId);
  const undo = await s.models.ReclaimUndo.findOne({
    _id: new Types.ObjectId(undoId),
    profileId: profile._id,
  }).lean();
  if (!undo) throw notFound('undo', undoId);
  return plain(undo);
}

export async function listSnapshots(s: ApiServices, profileId: string, q: z.infer<typeof snapshotListQuery>) {
  const profile = await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: profile._id };
  if (q.runId) filter.runId = q.runId;
  if (q.userId) filter.userId = q.userId;
  return findPage(s.models.ReclaimSnapshot, filter, q, { takenAt: -1 });
}
