/**
 * The writes of one batch, in the order that makes them safe: snapshot what will change, record the
 * intent (a conditional move to `reclaiming`: a candidate withdrawn a moment ago is not taken), send
 * the calls for exactly the candidates this run now holds, then record each outcome and audit every
 * record sent with Salesforce's answer.
 */
import type { Collection } from 'mongodb';
import type { AuditInput } from '../../../shared/db/auditLog.js';
import { candidateJournalOf } from '../../../shared/db/candidateJournal.js';
import { applyCandidateMoves, narrowGroups, type CandidateMove } from '../../../shared/db/candidateMoves.js';
import type { Models } from '../../../shared/db/models.js';
import type { AuditAction } from '../../../shared/db/models/auditEntry.model.js';
import { classifyDeactivationRefusal } from '../../../shared/domain/deactivationRefusal.js';
import { DAY_MS } from '../../../shared/domain/inactivity.js';
import type { WritePhase } from '../../../shared/domain/writeEligibility.js';
import type { RecordOutcome, SalesforceOrgClient } from '../../../shared/salesforce/salesforceClient.js';
import { insertIgnoringDuplicates } from '../../insertIgnoringDuplicates.js';
import type { BatchState, CandidateRow } from './batchState.js';
import { candidateAudit, writeAudit, type AuditScope } from './reclaimAudit.js';
import {
  isDone,
  planDeactivation,
  planFreeze,
  planRemoval,
  refusalOf,
  send,
  type PlannedCall,
  type WriteSObject,
} from './reclaimCalls.js';
import { idKey, type AssignmentNow, type LoginNow, type UserNow } from './salesforceState.js';

export interface PlannedWrite {
  candidate: CandidateRow;
  phase: WritePhase;
  user: UserNow;
  login: LoginNow | undefined;
  /** remove_assignment: the assignment, and the permission set assignments that need it first. */
  assignment?: AssignmentNow;
  dependents?: AssignmentNow[];
}

export interface BatchResult {
  moves: CandidateMove[];
  audits: AuditInput[];
  reclaimed: number;
  frozen: number;
  failed: number;
  frozenInstead: number;
  assignmentsRemoved: number;
  assignmentRemovalsFailed: number;
}

interface SnapshotDoc {
  _id: string;
  profileId: AuditScope['profileId'];
  runId: string;
  userId: string;
  username: string;
  phase: WritePhase;
  candidateIds: string[];
  before: { isActive: boolean; isFrozen: boolean | null; userLoginId: string | null };
  removed: { sobject: string; id: string; fields: Record<string, string> }[];
  takenAt: Date;
  undo: null;
}

const createFields = (a: AssignmentNow): Record<string, string> =>
  a.sobject === 'UserPackageLicense'
    ? { UserId: a.userId, PackageLicenseId: a.grantId }
    : a.sobject === 'PermissionSetLicenseAssign'
      ? { AssigneeId: a.userId, PermissionSetLicenseId: a.grantId }
      : { AssigneeId: a.userId, PermissionSetId: a.grantId };

function snapshotOf(scope: AuditScope, w: PlannedWrite, now: Date): SnapshotDoc {
  const removed = [...(w.dependents ?? []), ...(w.assignment ? [w.assignment] : [])];
  return {
    _id: `${scope.runId}|${w.candidate._id}`,
    profileId: scope.profileId,
    runId: scope.runId,
    userId: w.candidate.userId,
    username: w.user.username,
    phase: w.phase,
    candidateIds: [w.candidate._id],
    before: {
      isActive: w.user.isActive,
      isFrozen: w.login ? w.login.isFrozen : null,
      userLoginId: w.login?.id ?? null,
    },
    removed: removed.map((a) => ({ sobject: a.sobject, id: a.id, fields: createFields(a) })),
    takenAt: now,
    undo: null,
  };
}

const PHASE_AUDIT: Record<WritePhase, AuditAction> = {
  freeze: 'freeze',
  deactivate: 'deactivate',
  remove_assignment: 'remove_assignment',
};

/** Sends `calls`, collecting each record's answer and its audit entry. */
async function sendAll(
  client: SalesforceOrgClient,
  calls: readonly PlannedCall[],
  auditFor: (recordId: string) => AuditInput,
  audits: AuditInput[],
): Promise<Map<string, RecordOutcome>> {
  const answers = new Map<string, RecordOutcome>();
  for (const call of calls) {
    const outcomes = await send(client, call);
    for (const id of call.ids) {
      const answer = outcomes.get(id);
      if (answer) answers.set(idKey(id), answer);
      audits.push(writeAudit(auditFor(id), call, id, answer));
    }
  }
  return answers;
}

export async function writeBatch(
  models: Models,
  client: SalesforceOrgClient,
  candidates: Collection<CandidateRow>,
  planned: readonly PlannedWrite[],
  state: BatchState,
  scope: AuditScope,
  now: Date,
): Promise<BatchResult> {
  const result: BatchResult = {
    moves: [],
    audits: [],
    reclaimed: 0,
    frozen: 0,
    failed: 0,
    frozenInstead: 0,
    assignmentsRemoved: 0,
    assignmentRemovalsFailed: 0,
  };
  if (planned.length === 0) return result;
  const snapshots = models.ReclaimSnapshot.collection as unknown as Collection<SnapshotDoc>;
  await insertIgnoringDuplicates(
    snapshots,
    planned.map((w) => snapshotOf(scope, w, now)),
  );
  const moved = await applyCandidateMoves(
    candidates,
    planned.map((w) => ({
      id: w.candidate._id,
      from: w.candidate.status,
      events: ['write_started'],
      set: { phase: w.phase, reclaimRunId: scope.runId, lastError: null },
      inc: { attempts: 1 },
    })),
    now,
    candidateJournalOf(models, scope.profileId),
    state.narrow,
  );
  // Every move is conditional on the status the candidate was re-read in, and each id is moved at
  // most once: when all moved, this run holds all of them. Only when some did not (withdrawn a
  // moment ago) is it asked which, so a batch costs one read fewer (a scan on FerretDB).
  const held =
    moved === planned.length
      ? new Set(planned.map((w) => w.candidate._id))
      : new Set(
          (
            await Promise.all(
              narrowGroups(
                planned.map((w) => w.candidate._id),
                state.narrow,
              ).map((g) =>
                candidates
                  .find(
                    { ...g.filter, _id: { $in: g.ids }, status: 'reclaiming', reclaimRunId: scope.runId },
                    { projection: { _id: 1 } },
                  )
                  .toArray(),
              ),
            )
          )
            .flat()
            .map((c) => c._id),
        );
  const acting = planned.filter((w) => held.has(w.candidate._id));
  /** Candidates per user (a user may hold several), so one call per user serves all of them. */
  const byUser = (phase: WritePhase) => {
    const grouped = new Map<string, PlannedWrite[]>();
    for (const w of acting.filter((x) => x.phase === phase)) {
      const key = idKey(w.user.id);
      grouped.set(key, [...(grouped.get(key) ?? []), w]);
    }
    return grouped;
  };
  const auditOfUser = (writes: Map<string, PlannedWrite[]>, phase: WritePhase) => (recordId: string) => {
    const all = [...writes.values()].flat();
    const w = all.find(
      (x) => idKey(x.user.id) === idKey(recordId) || (x.login && idKey(x.login.id) === idKey(recordId)),
    );
    const rule = w ? state.rules.get(String(w.candidate.ruleId)) : undefined;
    return w
      ? candidateAudit(scope, w.candidate, rule, PHASE_AUDIT[phase], 'sent')
      : {
          profileId: scope.profileId,
          runId: scope.runId,
          action: PHASE_AUDIT[phase],
          actor: 'system:reclaim',
          outcome: 'sent',
        };
  };
  const firstOf = (ws: PlannedWrite[]) => ws[0] as PlannedWrite;

  // Freezes: the first phase of a deactivation, and the freeze action.
  const freezing = byUser('freeze');
  const frozenAnswers = await sendAll(
    client,
    planFreeze(
      [...freezing.values()].flatMap((ws) => (firstOf(ws).login ? [(firstOf(ws).login as LoginNow).id] : [])),
    ),
    auditOfUser(freezing, 'freeze'),
    result.audits,
  );
  for (const w of [...freezing.values()].flat()) {
    const rule = state.rules.get(String(w.candidate.ruleId));
    const answer = w.login ? frozenAnswers.get(idKey(w.login.id)) : undefined;
    if (!w.login || !isDone(answer, false)) {
      const error = w.login
        ? refusalOf(answer)
        : { code: 'USER_LOGIN_NOT_FOUND', message: 'no UserLogin record for this user' };
      result.moves.push(failed(w, error, 'freeze failed'));
      result.failed += 1;
    } else if (w.candidate.action === 'deactivate_user') {
      const freezeDays = rule?.freezeDays ?? 7;
      const deactivateAfter = new Date(now.getTime() + freezeDays * DAY_MS);
      result.moves.push({
        id: w.candidate._id,
        from: 'reclaiming',
        events: ['froze'],
        set: {
          frozenAt: now,
          deactivateAfter,
          outcome: `frozen; deactivation after ${deactivateAfter.toISOString()}`,
        },
      });
      result.frozen += 1;
    } else {
      result.moves.push(done(w, 'frozen', now));
      result.reclaimed += 1;
    }
  }

  // Deactivations, with a freeze where Salesforce refuses and the rule says so.
  const deactivating = byUser('deactivate');
  const deactivated = await sendAll(
    client,
    planDeactivation([...deactivating.values()].map((ws) => firstOf(ws).user.id)),
    auditOfUser(deactivating, 'deactivate'),
    result.audits,
  );
  const refused = [...deactivating.values()]
    .map(firstOf)
    .filter((w) => !isDone(deactivated.get(idKey(w.user.id)), false));
  const fallback = new Map(
    refused
      .filter(
        (w) => state.rules.get(String(w.candidate.ruleId))?.freezeOnRefusal && w.login && !w.login.isFrozen,
      )
      .map((w) => [idKey(w.user.id), [w]]),
  );
  const fallbackAnswers = await sendAll(
    client,
    planFreeze([...fallback.values()].map((ws) => (firstOf(ws).login as LoginNow).id)),
    auditOfUser(fallback, 'freeze'),
    result.audits,
  );
  for (const w of [...deactivating.values()].flat()) {
    const answer = deactivated.get(idKey(w.user.id));
    if (isDone(answer, false)) {
      result.moves.push(done(w, 'deactivated', now));
      result.reclaimed += 1;
      continue;
    }
    const error = refusalOf(answer);
    const blocker = classifyDeactivationRefusal(error);
    const viaFallback =
      fallback.has(idKey(w.user.id)) && w.login && isDone(fallbackAnswers.get(idKey(w.login.id)), false);
    const frozenNow = w.login?.isFrozen === true || viaFallback;
    if (viaFallback) result.frozenInstead += 1;
    result.moves.push(
      failed(w, error, `deactivation refused (${blocker})${frozenNow ? '; frozen instead' : ''}`),
    );
    result.failed += 1;
  }

  await removeAssignments(
    client,
    acting.filter((w) => w.phase === 'remove_assignment'),
    state,
    scope,
    now,
    result,
  );
  return result;
}

async function removeAssignments(
  client: SalesforceOrgClient,
  removing: readonly PlannedWrite[],
  state: BatchState,
  scope: AuditScope,
  now: Date,
  result: BatchResult,
): Promise<void> {
  if (removing.length === 0) return;
  const ownerOf = new Map<string, PlannedWrite>();
  for (const w of removing) {
    for (const a of [...(w.dependents ?? []), ...(w.assignment ? [w.assignment] : [])])
      ownerOf.set(idKey(a.id), w);
  }
  const auditFor = (recordId: string) => {
    const w = ownerOf.get(idKey(recordId)) as PlannedWrite;
    return candidateAudit(
      scope,
      w.candidate,
      state.rules.get(String(w.candidate.ruleId)),
      'remove_assignment',
      'sent',
    );
  };
  // Permission sets that need a license go first: Salesforce refuses to remove the license before.
  const dependents = removing.flatMap((w) => w.dependents ?? []);
  const dependentAnswers = await sendAll(
    client,
    planRemoval(
      'PermissionSetAssignment',
      dependents.map((d) => d.id),
    ),
    auditFor,
    result.audits,
  );
  const blocked = new Set(
    removing
      .filter((w) => (w.dependents ?? []).some((d) => !isDone(dependentAnswers.get(idKey(d.id)), true)))
      .map((w) => w.candidate._id),
  );
  const ready = removing.filter((w) => !blocked.has(w.candidate._id) && w.assignment);
  const answers = new Map<string, RecordOutcome>();
  for (const sobject of ['PermissionSetLicenseAssign', 'UserPackageLicense'] as WriteSObject[]) {
    const ids = ready
      .filter((w) => w.assignment?.sobject === sobject)
      .map((w) => (w.assignment as AssignmentNow).id);
    for (const [k, v] of await sendAll(client, planRemoval(sobject, ids), auditFor, result.audits))
      answers.set(k, v);
  }
  for (const w of removing) {
    if (blocked.has(w.candidate._id)) {
      const d = (w.dependents ?? []).find((x) => !isDone(dependentAnswers.get(idKey(x.id)), true));
      result.moves.push(
        failed(
          w,
          refusalOf(d ? dependentAnswers.get(idKey(d.id)) : undefined),
          'a permission set that needs this license could not be removed',
        ),
      );
      result.failed += 1;
      result.assignmentRemovalsFailed += 1;
      continue;
    }
    const answer = answers.get(idKey((w.assignment as AssignmentNow).id));
    if (isDone(answer, true)) {
      result.moves.push(done(w, 'assignment removed', now));
      result.reclaimed += 1;
      result.assignmentsRemoved += 1;
    } else {
      result.moves.push(failed(w, refusalOf(answer), 'assignment removal failed'));
      result.failed += 1;
      result.assignmentRemovalsFailed += 1;
    }
  }
}

function done(w: PlannedWrite, outcome: string, now: Date): CandidateMove {
  return {
    id: w.candidate._id,
    from: 'reclaiming',
    events: ['write_done'],
    set: { outcome, reclaimedAt: now, lastError: null },
  };
}

function failed(w: PlannedWrite, error: { code: string; message: string }, outcome: string): CandidateMove {
  return {
    id: w.candidate._id,
    from: 'reclaiming',
    events: ['write_refused'],
    set: { outcome, lastError: error },
  };
}
