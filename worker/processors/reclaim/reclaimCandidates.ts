/**
 * Reclaims a profile's approved candidates (optionally only those whose `_id` lies in a range), one
 * batch of ≤ 200 at a time. Before each batch it re-reads everything a write depends on (MongoDB:
 * candidates, rules, exclusions, profile, stop switches; Salesforce: the users, their logins, the
 * assignments) and asks `decideWrite` per candidate; what is no longer eligible is skipped with its
 * reason. Interrupted writes are settled against Salesforce first, so nobody is written twice.
 *
 * Each read and move of a batch carries an equality that narrows what FerretDB decodes: each
 * candidate's reclaim shard (`reclaimSlices.ts`), or, for candidates computed before shards
 * existed, a claim the slice stamps on its candidates first (`reclaimClaim.ts`).
 */
import type { Collection, Filter, ObjectId } from 'mongodb';
import { appendAudit, type AuditInput } from '../../../shared/db/auditLog.js';
import {
  applyCandidateMoves,
  type CandidateMove,
  type Narrowing,
} from '../../../shared/db/candidateMoves.js';
import type { Models } from '../../../shared/db/models.js';
import { candidateJournalOf } from '../../../shared/db/candidateJournal.js';
import { candidatesOf } from '../../../shared/db/profileCollections.js';
import { snapshotOf } from '../../../shared/db/subscriptionSnapshots.js';
import { unpackUser } from '../../../shared/db/subscriptionSummary.js';
import { sparedReason } from '../../../shared/domain/sparedUsers.js';
import { decideWrite, type WriteDecision } from '../../../shared/domain/writeEligibility.js';
import type { SalesforceOrgClient } from '../../../shared/salesforce/salesforceClient.js';
import { loadBatchState, type BatchState, type CandidateRow } from './batchState.js';
import { writeBatch, type PlannedWrite } from './batchWrites.js';
import { resolveInterrupted } from './interruptedWrites.js';
import { candidateAudit, type AuditScope } from './reclaimAudit.js';
import {
  chunk,
  planDeactivation,
  planFreeze,
  planRemoval,
  WRITE_BATCH,
  type PlannedCall,
  type WriteSObject,
} from './reclaimCalls.js';
import { claimFilter, claimWorkable } from './reclaimClaim.js';
import {
  isWorkable,
  WORKABLE_STATUSES,
  type WorkableStatus,
} from '../../../shared/domain/candidateLifecycle.js';
import type { ShardPiece } from '../../../shared/jobs/reclaimBatch.js';
import { idKey, readAssignments, readUsersAndLogins } from './salesforceState.js';

export type { CandidateRow } from './batchState.js';

export interface ReclaimScope {
  profileId: ObjectId;
  runId: string;
  /** The active snapshot, where assignment ids come from (null: nothing downloaded). */
  syncId: string | null;
  range: { first: string; last: string } | null;
  /** Unique to this slice of the run (`reclaimClaim.ts`). */
  claimTag: string;
  /** The workable statuses the slice's candidates were in when the run looked (default: all). */
  statuses?: readonly WorkableStatus[];
  /** The slice as reclaim shards and id ranges (`reclaimSlices.ts`): read by shard, no claim. */
  pieces?: readonly ShardPiece[] | undefined;
  now: () => Date;
}

export interface ReclaimTally {
  candidates: number;
  reclaimed: number;
  /** First phase done: frozen, deactivated once the grace period is over. */
  frozen: number;
  failed: number;
  frozenInstead: number;
  verifiedAfterInterruption: number;
  assignmentsRemoved: number;
  assignmentRemovalsFailed: number;
  /** Candidates not written, by reason (re-check at the write). */
  skipped: Record<string, number>;
  /** A stop switch or a pause was seen: nothing more was sent. */
  stopped: number;
  writes: number;
  /** Dry run only: the calls a real run would send. */
  plannedCalls: PlannedCall[];
}

export const emptyTally = (): ReclaimTally => ({
  candidates: 0,
  reclaimed: 0,
  frozen: 0,
  failed: 0,
  frozenInstead: 0,
  verifiedAfterInterruption: 0,
  assignmentsRemoved: 0,
  assignmentRemovalsFailed: 0,
  skipped: {},
  stopped: 0,
  writes: 0,
  plannedCalls: [],
});

export function addTally(into: ReclaimTally, from: ReclaimTally): void {
  for (const key of Object.keys(into) as (keyof ReclaimTally)[]) {
    if (key === 'plannedCalls') into.plannedCalls.push(...from.plannedCalls);
    else if (key === 'skipped') {
      for (const [reason, n] of Object.entries(from.skipped))
        into.skipped[reason] = (into.skipped[reason] ?? 0) + n;
    } else into[key] += from[key];
  }
}

/** `isWorkable` as a filter (`candidateLifecycle.ts`). */
export function workableFilter(now: Date): Filter<CandidateRow> {
  return {
    $or: [{ status: { $in: ['ready', 'reclaiming'] } }, { status: 'frozen', deactivateAfter: { $lte: now } }],
  };
}

export async function reclaimCandidates(
  models: Models,
  client: SalesforceOrgClient,
  scope: ReclaimScope,
  onProgress: (done: number) => Promise<void>,
): Promise<ReclaimTally> {
  const tally = emptyTally();
  const candidates = candidatesOf(models, scope.profileId).collection as unknown as Collection<CandidateRow>;
  const audit: AuditScope = { profileId: scope.profileId, runId: scope.runId };
  const journal = candidateJournalOf(models, scope.profileId);
  const startedAt = scope.now();

  const claim = { profileId: scope.profileId, tag: scope.claimTag };

  /** Assignment ids of removal candidates, from the active snapshot (re-read from Salesforce later). */
  const assignmentOf = async (page: readonly CandidateRow[]): Promise<Map<string, string>> => {
    const byCandidate = new Map<string, string>();
    const removals = page.filter((c) => c.action === 'remove_assignment');
    if (!scope.syncId || removals.length === 0) return byCandidate;
    // One read of the batch's users (a user document holds all of their licenses).
    const users = await snapshotOf(models, scope.profileId, scope.syncId)
      .users.find({ _id: { $in: [...new Set(removals.map((c) => c.userId))] } })
      .toArray();
    const byLicense = new Map<string, string | null>();
    for (const u of users)
      for (const l of unpackUser(u.user).licenses) byLicense.set(`${u._id}|${l.identifier}`, l.assignmentId);
    for (const c of removals) {
      const assignmentId = byLicense.get(`${c.userId}|${c.identifier}`);
      if (assignmentId) byCandidate.set(c._id, assignmentId);
    }
    return byCandidate;
  };

  /**
   * Every move names the batch's narrowing too: a batch's candidates are `reclaiming` while its
   * calls are out, and with a slice per worker slot that is up to a couple of thousand at once.
   */
  const move = async (moves: readonly CandidateMove[], narrow: Narrowing) => {
    tally.writes += await applyCandidateMoves(candidates, moves, scope.now(), journal, narrow);
  };

  /**
   * `narrow`: the equality that keeps every read and move of the batch to a few candidates on
   * FerretDB (the slice's claim, or each candidate's reclaim shard); it narrows, never decides.
   */
  async function reclaimBatch(ids: string[], narrow: Narrowing): Promise<boolean> {
    let state = await loadBatchState(models, candidates, scope.profileId, ids, narrow);
    if (state.stops.global || state.stops.profile || state.stops.paused) {
      tally.stopped += ids.length;
      return true;
    }
    const assignments = await assignmentOf(state.candidates);
    const audits: AuditInput[] = [];
    const interrupted = state.candidates.filter((c) => c.status === 'reclaiming');
    if (interrupted.length > 0 && !state.dryRun) {
      const verdicts = await resolveInterrupted(client, interrupted, assignments, state, audit, scope.now());
      await move(verdicts.moves, narrow);
      audits.push(...verdicts.audits);
      tally.verifiedAfterInterruption += verdicts.confirmed;
      state = await loadBatchState(models, candidates, scope.profileId, ids, narrow);
    }
    const planned = await recheck(state, assignments, audits);
    if (state.dryRun) planDryRun(planned);
    else {
      const result = await writeBatch(models, client, candidates, planned, state, audit, scope.now());
      await move(result.moves, narrow);
      audits.push(...result.audits);
      tally.reclaimed += result.reclaimed;
      tally.frozen += result.frozen;
      tally.failed += result.failed;
      tally.frozenInstead += result.frozenInstead;
      tally.assignmentsRemoved += result.assignmentsRemoved;
      tally.assignmentRemovalsFailed += result.assignmentRemovalsFailed;
    }
    await appendAudit(models, audits);
    return false;
  }

  /** The re-check at the write: which candidates of the batch may be written now, and which not. */
  async function recheck(
    state: BatchState,
    assignments: ReadonlyMap<string, string>,
    audits: AuditInput[],
  ): Promise<PlannedWrite[]> {
    const now = scope.now();
    const workable = state.candidates.filter((c) => c.status === 'ready' || c.status === 'frozen');
    if (workable.length === 0) return [];
    const userIds = workable.map((c) => c.userId);
    const { users, logins } = await readUsersAndLogins(client, userIds);
    // The tokens' own user is spared even when the alias document does not name it.
    const connected = [
      ...state.connectedUserIds,
      ...(client.connectedUserId ? [client.connectedUserId] : []),
    ];
    const planned: PlannedWrite[] = [];
    const skips: {
      c: CandidateRow;
      decision: Extract<WriteDecision, { write: false }> | null;
      reason: string;
    }[] = [];
    for (const c of workable) {
      const user = users.get(idKey(c.userId));
      const login = logins.get(idKey(c.userId));
      const rule = state.rules.get(String(c.ruleId));
      const decision = decideWrite({
        candidate: {
          status: c.status,
          ruleId: String(c.ruleId),
          action: c.action,
          approval: c.approval
            ? {
                ruleId: String(c.approval.ruleId),
                ruleRevision: c.approval.ruleRevision,
                action: c.approval.action,
                deactivateNow: c.approval.deactivateNow,
              }
            : null,
          frozenAt: c.frozenAt,
          deactivateAfter: c.deactivateAfter,
        },
        rule: rule ?? null,
        stops: state.stops,
        user: user ? { ...user, isFrozen: login ? login.isFrozen : null } : null,
        excluded: user
          ? state.exclusions.match({
              identifier: c.identifier,
              userId: c.userId,
              username: user.username,
              profileName: user.profileName,
              userType: user.userType,
            }) !== null
          : false,
        spared: user ? sparedReason({ ...user, userId: user.id }, connected) : null,
        now,
      });
      if (!decision.write)
        skips.push({
          c,
          decision,
          reason: decision.detail ? `${decision.reason}: ${decision.detail}` : decision.reason,
        });
      else
        planned.push({ candidate: c, phase: decision.phase, user: user as NonNullable<typeof user>, login });
    }
    const removals = planned.filter((w) => w.phase === 'remove_assignment');
    if (removals.length > 0) {
      const ids = removals.flatMap((w) => assignments.get(w.candidate._id) ?? []);
      const found = ids.length > 0 ? await readAssignments(client, ids) : { byId: new Map(), dependents: [] };
      for (const w of removals) {
        const id = assignments.get(w.candidate._id);
        const assignment = id ? found.byId.get(idKey(id)) : undefined;
        if (!assignment) {
          skips.push({ c: w.candidate, decision: null, reason: 'assignment_gone' });
          continue;
        }
        w.assignment = assignment;
        w.dependents = found.dependents.filter(
          (d) =>
            idKey(d.userId) === idKey(assignment.userId) &&
            d.requiresLicenseId &&
            idKey(d.requiresLicenseId) === idKey(assignment.grantId),
        );
      }
    }
    const skippedIds = new Set(skips.map((s) => s.c._id));
    const moves: CandidateMove[] = [];
    for (const { c, decision, reason } of skips) {
      tally.skipped[reason] = (tally.skipped[reason] ?? 0) + 1;
      const event = decision ? decision.event : 'skipped_ineligible';
      audits.push(
        candidateAudit(
          audit,
          c,
          state.rules.get(String(c.ruleId)),
          'skip',
          event ? `skipped: ${event}` : 'skipped; stays',
          reason,
        ),
      );
      if (!event) continue;
      moves.push({
        id: c._id,
        from: c.status,
        events: [event],
        set: {
          reason,
          ...(event === 'skipped_unapproved' || event === 'skipped_ineligible' ? { approval: null } : {}),
        },
      });
    }
    if (!state.dryRun) await move(moves, state.narrow);
    return planned.filter((w) => !skippedIds.has(w.candidate._id));
  }

  function planDryRun(planned: readonly PlannedWrite[]): void {
    const users = (phase: string) => [
      ...new Set(planned.filter((w) => w.phase === phase).map((w) => w.user.id)),
    ];
    const logins = [
      ...new Set(planned.filter((w) => w.phase === 'freeze' && w.login).map((w) => w.login?.id as string)),
    ];
    const removals = planned.filter((w) => w.phase === 'remove_assignment');
    const ofType = (sobject: WriteSObject) =>
      removals
        .flatMap((w) => [...(w.dependents ?? []), ...(w.assignment ? [w.assignment] : [])])
        .filter((a) => a.sobject === sobject)
        .map((a) => a.id);
    tally.plannedCalls.push(
      ...planFreeze(logins),
      ...planDeactivation(users('deactivate')),
      ...planRemoval('PermissionSetAssignment', ofType('PermissionSetAssignment')),
      ...planRemoval('PermissionSetLicenseAssign', ofType('PermissionSetLicenseAssign')),
      ...planRemoval('UserPackageLicense', ofType('UserPackageLicense')),
    );
  }

  /** Works `ids` a batch at a time, up to the first batch that sees a stop. */
  const work = async (ids: string[], narrow: Narrowing): Promise<void> => {
    for (const batch of chunk(ids, WRITE_BATCH)) {
      tally.candidates += batch.length;
      const stopped = await reclaimBatch(batch, narrow);
      await onProgress(tally.candidates);
      if (stopped) return;
    }
  };

  if (scope.pieces) {
    // Each piece's workable candidates, read by its shard (a shard holds at most RECLAIM_SHARD_ROWS
    // candidates); batches then fill across pieces, each candidate read and moved by its own shard.
    const shardOf = new Map<string, number>();
    for (const piece of scope.pieces) {
      const inShard = await candidates
        .find({ profileId: scope.profileId, reclaimShard: piece.shard } as Filter<CandidateRow>, {
          projection: { _id: 1, status: 1, deactivateAfter: 1 },
        })
        .toArray();
      for (const c of inShard)
        if (c._id >= piece.first && c._id <= piece.last && isWorkable(c, startedAt))
          shardOf.set(c._id, piece.shard);
    }
    const ids = [...shardOf.keys()].sort(
      (a, b) => (shardOf.get(a) as number) - (shardOf.get(b) as number) || (a < b ? -1 : 1),
    );
    await work(ids, (id) => ({ profileId: scope.profileId, reclaimShard: shardOf.get(id) }));
    return tally;
  }
  const ids = await claimWorkable(candidates, {
    ...claim,
    range: scope.range,
    statuses: scope.statuses ?? WORKABLE_STATUSES,
    startedAt,
  });
  await work(ids, claimFilter(claim));
  return tally;
}
