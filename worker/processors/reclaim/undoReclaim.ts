/**
 * reclaimUndo: puts users back as their snapshots say they were before a reclaim (a whole run, or
 * some users): reactivate, re-create the removed assignments (licenses before the permission sets
 * that need them), unfreeze. Each user's result says what was and was not restored, with
 * Salesforce's reason; every write is audited. A retried undo skips snapshots already undone, and
 * an assignment that exists again counts as restored.
 */
import { ObjectId, type Collection } from 'mongodb';
import { appendAudit, type AuditInput } from '../../../shared/db/auditLog.js';
import { applyCandidateMoves, type CandidateMove } from '../../../shared/db/candidateMoves.js';
import { candidateJournalOf } from '../../../shared/db/candidateJournal.js';
import { candidatesOf } from '../../../shared/db/profileCollections.js';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import { transition } from '../../../shared/domain/candidateLifecycle.js';
import type { ReclaimUndoPayload } from '../../../shared/jobs/reclaimUndo.js';
import { SeatwiseError } from '../../../shared/errors.js';
import type { RecordOutcome } from '../../../shared/salesforce/salesforceClient.js';
import type { JobOutcome, WorkerDeps } from '../../workerDeps.js';
import { outcomeOf } from '../../jobOutcome.js';
import {
  chunk,
  isDone,
  planReactivation,
  planUnfreeze,
  refusalOf,
  send,
  WRITE_BATCH,
  type PlannedCall,
} from './reclaimCalls.js';
import { idKey, readUsersAndLogins } from './salesforceState.js';

const ACTOR_PREFIX = 'undo:';
/** Salesforce answers a re-created assignment that exists with DUPLICATE_VALUE: it is there, as wanted. */
const ALREADY_THERE = new Set(['DUPLICATE_VALUE']);
const CREATE_ORDER = ['PermissionSetLicenseAssign', 'UserPackageLicense', 'PermissionSetAssignment'] as const;

interface Snapshot {
  _id: string;
  runId: string;
  userId: string;
  username: string | null;
  candidateIds: string[];
  before: { isActive: boolean; isFrozen: boolean | null; userLoginId: string | null };
  removed: { sobject: (typeof CREATE_ORDER)[number]; id: string; fields: Record<string, string> }[];
  takenAt: Date;
}

interface UserResult {
  userId: string;
  restored: string[];
  notRestored: { what: string; code: string; message: string }[];
}

export async function undoReclaim(
  deps: WorkerDeps,
  payload: ReclaimUndoPayload,
  now: () => Date,
): Promise<JobOutcome> {
  try {
    return await runUndo(deps, payload, now);
  } catch (error) {
    // The request shows the failure; the job still fails (and retries) as BullMQ decides.
    await deps.models.ReclaimUndo.updateOne(
      { _id: new ObjectId(payload.undoId), status: { $ne: 'done' } },
      { $set: { status: 'failed', error: error instanceof Error ? error.message : String(error) } },
    );
    throw error;
  }
}

async function runUndo(deps: WorkerDeps, payload: ReclaimUndoPayload, now: () => Date): Promise<JobOutcome> {
  const { models } = deps;
  const profileId = new ObjectId(payload.profileId);
  const request = await models.ReclaimUndo.findOne({ _id: new ObjectId(payload.undoId), profileId }).lean();
  if (!request)
    throw new SeatwiseError('UNDO_NOT_FOUND', `undo ${payload.undoId} does not exist for this profile`, {
      ...payload,
    });
  const client = await deps.salesforceFor(payload.profileId);
  if (request.status === 'done')
    return outcomeOf(client, 0, { undoId: payload.undoId, skipped: 'already done' });
  await models.ReclaimUndo.updateOne({ _id: request._id }, { $set: { status: 'running' } });

  const filter: Record<string, unknown> = { profileId, undo: null };
  if (request.scope?.runId) filter.runId = request.scope.runId;
  if (request.scope?.userIds?.length) filter.userId = { $in: request.scope.userIds };
  const snapshots = (await models.ReclaimSnapshot.find(filter)
    .sort({ takenAt: 1 })
    .lean()) as unknown as Snapshot[];
  const byUser = new Map<string, Snapshot[]>();
  for (const s of snapshots) byUser.set(idKey(s.userId), [...(byUser.get(idKey(s.userId)) ?? []), s]);
  const actor = `${ACTOR_PREFIX}${request.requestedBy}`;
  const audits: AuditInput[] = [];
  const results = new Map<string, UserResult>(
    [...byUser.values()].map((list) => [
      idKey((list[0] as Snapshot).userId),
      { userId: (list[0] as Snapshot).userId, restored: [], notRestored: [] },
    ]),
  );
  const note = (userId: string, what: string, answer: RecordOutcome | undefined, deleting = false) => {
    const r = results.get(idKey(userId)) as UserResult;
    const ok =
      isDone(answer, deleting) || (answer?.errors.some((e) => ALREADY_THERE.has(e.statusCode)) ?? false);
    if (ok) r.restored.push(what);
    else r.notRestored.push({ what, ...refusalOf(answer) });
  };
  const auditWrite = (
    userId: string,
    action: AuditInput['action'],
    call: Pick<PlannedCall, 'method' | 'sobject' | 'change'>,
    recordId: string,
    answer: RecordOutcome | undefined,
  ) => {
    const snapshot = byUser.get(idKey(userId))?.[0];
    audits.push({
      profileId,
      runId: snapshot?.runId ?? null,
      userId,
      username: snapshot?.username ?? null,
      action,
      actor,
      request: {
        method: call.method,
        path: '/composite/sobjects',
        sobject: call.sobject,
        change: call.change,
        recordId,
      },
      response: answer
        ? {
            success: answer.success,
            errors: answer.errors.map((e) => ({ statusCode: e.statusCode, message: e.message })),
          }
        : null,
      outcome: answer?.success ? 'restored' : 'not restored',
    });
  };

  for (const userKeys of chunk([...byUser.keys()], WRITE_BATCH)) {
    const lists = userKeys.map((k) => byUser.get(k) as Snapshot[]);
    const userIds = lists.map((l) => (l[0] as Snapshot).userId);
    const { users, logins } = await readUsersAndLogins(client, userIds);
    // Reactivate first: Salesforce does not give an inactive user a license assignment.
    const reactivate = lists
      .filter(
        (l) =>
          l.some((s) => s.before.isActive) && users.get(idKey((l[0] as Snapshot).userId))?.isActive === false,
      )
      .map((l) => (l[0] as Snapshot).userId);
    for (const call of planReactivation(reactivate)) {
      const answers = await send(client, call);
      for (const id of call.ids) {
        note(id, 'reactivated', answers.get(id));
        auditWrite(id, 'reactivate', call, id, answers.get(id));
      }
    }
    for (const sobject of CREATE_ORDER) {
      const wanted = lists.flatMap((l) =>
        l.flatMap((s) =>
          s.removed.filter((a) => a.sobject === sobject).map((a) => ({ userId: s.userId, a })),
        ),
      );
      for (const part of chunk(wanted, WRITE_BATCH)) {
        const answers = await client.create(
          sobject,
          part.map((w) => w.a.fields),
        );
        part.forEach((w, i) => {
          note(w.userId, `${sobject} ${w.a.id}`, answers[i]);
          auditWrite(
            w.userId,
            'restore_assignment',
            { method: 'POST', sobject, change: null },
            w.a.id,
            answers[i],
          );
        });
      }
    }
    // Unfreeze only those that were not frozen before the first snapshot in scope.
    const unfreeze = lists
      .filter(
        (l) =>
          (l[0] as Snapshot).before.isFrozen === false &&
          logins.get(idKey((l[0] as Snapshot).userId))?.isFrozen === true,
      )
      .map((l) => logins.get(idKey((l[0] as Snapshot).userId))?.id as string);
    const userOfLogin = new Map([...logins.values()].map((l) => [idKey(l.id), l.userId]));
    for (const call of planUnfreeze(unfreeze)) {
      const answers = await send(client, call);
      for (const id of call.ids) {
        const userId = userOfLogin.get(idKey(id)) ?? id;
        note(userId, 'unfrozen', answers.get(id));
        auditWrite(userId, 'unfreeze', call, id, answers.get(id));
      }
    }
  }

  // Candidates whose user came back whole are restored; the others say what is missing.
  const candidates = candidatesOf(models, profileId).collection as unknown as Collection<{
    _id: string;
    status: CandidateStatus;
  }>;
  const candidateIds = snapshots.flatMap((s) =>
    results.get(idKey(s.userId))?.notRestored.length ? [] : s.candidateIds,
  );
  const current =
    candidateIds.length > 0 ? await candidates.find({ _id: { $in: candidateIds } }).toArray() : [];
  const moves: CandidateMove[] = current
    .filter((c) => transition(c.status, 'undone'))
    .map((c) => ({
      id: c._id,
      from: c.status,
      events: ['undone'],
      set: { outcome: `restored by undo ${payload.undoId}`, approval: null },
    }));
  const at = now();
  const writes = await applyCandidateMoves(candidates, moves, at, candidateJournalOf(models, profileId));
  for (const s of snapshots) {
    const r = results.get(idKey(s.userId)) as UserResult;
    await models.ReclaimSnapshot.updateOne(
      { _id: s._id, undo: null },
      {
        $set: {
          undo: {
            undoId: payload.undoId,
            at,
            by: request.requestedBy,
            results: [
              ...r.restored.map((what) => ({ what, restored: true })),
              ...r.notRestored.map((n) => ({ ...n, restored: false })),
            ],
          },
        },
      },
    );
  }
  await appendAudit(models, audits);
  const users = [...results.values()];
  await models.ReclaimUndo.updateOne(
    { _id: request._id },
    { $set: { status: 'done', finishedAt: at, users } },
  );
  return outcomeOf(client, writes, {
    undoId: payload.undoId,
    users: users.length,
    fullyRestored: users.filter((u) => u.notRestored.length === 0).length,
    notRestored: users.filter((u) => u.notRestored.length > 0).length,
  });
}
