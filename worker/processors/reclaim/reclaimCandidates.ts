/**
 * Reclaims the `ready` candidates of a profile (optionally only those whose `_id` lies in a range),
 * 200 at a time: record the intent (`reclaiming`, attempts+1), call Salesforce, record each
 * outcome. A candidate found `reclaiming` was interrupted mid-call: its user's state is read back
 * from Salesforce before anything is sent again, so nobody is reclaimed twice.
 */
import type { Collection, Filter, ObjectId } from 'mongodb';
import { bulkWriteInChunks } from '../../../shared/db/bulkWriteInChunks.js';
import type { Models } from '../../../shared/db/models.js';
import type { ReclaimAction } from '../../../shared/db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import { candidatesOf, subscriptionsOf } from '../../../shared/db/profileCollections.js';
import type { SalesforceOrgClient } from '../../../shared/salesforce/salesforceClient.js';
import { subscriptionRowId, type SubscriptionRow } from '../downloadSubscriptions/subscriptionRows.js';
import {
  activeUsers,
  chunk,
  isDone,
  planAssignmentRemoval,
  planDeactivation,
  planFreeze,
  refusalOf,
  send,
  userLoginIds,
  WRITE_BATCH,
  type PlannedCall,
} from './reclaimCalls.js';

export interface CandidateRow {
  _id: string;
  profileId: ObjectId;
  userId: string;
  identifier: string;
  ruleId: ObjectId;
  action: ReclaimAction;
  status: CandidateStatus;
  reclaimRunId: string | null;
}

export interface ReclaimScope {
  profileId: ObjectId;
  runId: string;
  /** The active snapshot, where assignment ids come from (null: nothing downloaded). */
  syncId: string | null;
  dryRun: boolean;
  range: { first: string; last: string } | null;
  now: () => Date;
}

export interface ReclaimTally {
  candidates: number;
  reclaimed: number;
  failed: number;
  frozenInstead: number;
  verifiedAfterInterruption: number;
  assignmentsRemoved: number;
  assignmentRemovalsFailed: number;
  writes: number;
  /** Dry run only: the calls a real run would send. */
  plannedCalls: PlannedCall[];
}

export const emptyTally = (): ReclaimTally => ({
  candidates: 0,
  reclaimed: 0,
  failed: 0,
  frozenInstead: 0,
  verifiedAfterInterruption: 0,
  assignmentsRemoved: 0,
  assignmentRemovalsFailed: 0,
  writes: 0,
  plannedCalls: [],
});

export function addTally(into: ReclaimTally, from: ReclaimTally): void {
  for (const key of Object.keys(into) as (keyof ReclaimTally)[]) {
    if (key === 'plannedCalls') into.plannedCalls.push(...from.plannedCalls);
    else into[key] += from[key];
  }
}

const STATUS_CHUNK = 50;

interface Verdict {
  status: 'reclaimed' | 'failed';
  outcome: string;
  error: { code: string; message: string } | null;
}

export async function reclaimCandidates(
  models: Models,
  client: SalesforceOrgClient,
  scope: ReclaimScope,
  onProgress: (done: number) => Promise<void>,
): Promise<ReclaimTally> {
  const tally = emptyTally();
  const candidates = candidatesOf(models, scope.profileId).collection as unknown as Collection<CandidateRow>;
  const subscriptions = subscriptionsOf(models, scope.profileId)
    .collection as unknown as Collection<SubscriptionRow>;
  const rules = await models.ReclamationRule.find(
    { profileId: scope.profileId },
    { freezeOnRefusal: 1 },
  ).lean();
  const freezesOnRefusal = new Set(rules.filter((r) => r.freezeOnRefusal).map((r) => String(r._id)));

  /** The page filter: this slice's ids, after the last one already handled (keyset paging on _id). */
  const pageFilter = (after: string | null): Filter<CandidateRow> => {
    const range: { $gt?: string; $gte?: string; $lte?: string } = {};
    if (after !== null) range.$gt = after;
    else if (scope.range) range.$gte = scope.range.first;
    if (scope.range) range.$lte = scope.range.last;
    const filter: Filter<CandidateRow> = {
      profileId: scope.profileId,
      status: { $in: ['ready', 'reclaiming'] },
    };
    if (Object.keys(range).length > 0) filter._id = range;
    return filter;
  };

  const assignmentsOfUsers = async (userIds: readonly string[]): Promise<Map<string, string>> => {
    const byAssignment = new Map<string, string>();
    if (!scope.syncId || userIds.length === 0) return byAssignment;
    const rows = await subscriptions
      .find(
        {
          profileId: scope.profileId,
          syncId: scope.syncId,
          userId: { $in: [...userIds] },
          assignmentId: { $ne: null },
          goneAt: null,
        },
        { projection: { userId: 1, assignmentId: 1 } },
      )
      .toArray();
    for (const row of rows) if (row.assignmentId) byAssignment.set(row.assignmentId, row.userId);
    return byAssignment;
  };

  const assignmentOfCandidates = async (page: readonly CandidateRow[]): Promise<Map<string, string>> => {
    const byCandidate = new Map<string, string>();
    if (!scope.syncId || page.length === 0) return byCandidate;
    const syncId = scope.syncId;
    const rows = await subscriptions
      .find(
        { _id: { $in: page.map((c) => subscriptionRowId(syncId, c.userId, c.identifier)) } },
        { projection: { userId: 1, identifier: 1, assignmentId: 1 } },
      )
      .toArray();
    const byRow = new Map(rows.map((r) => [r._id, r.assignmentId]));
    for (const c of page) {
      const assignmentId = byRow.get(subscriptionRowId(syncId, c.userId, c.identifier));
      if (assignmentId) byCandidate.set(c._id, assignmentId);
    }
    return byCandidate;
  };

  const setMany = async (
    ids: readonly string[],
    from: CandidateStatus,
    update: Record<string, unknown>,
  ): Promise<void> => {
    for (const part of chunk(ids, STATUS_CHUNK)) {
      const result = await candidates.updateMany({ _id: { $in: part }, status: from }, update);
      tally.writes += result.modifiedCount;
    }
  };

  let after: string | null = null;
  for (;;) {
    const page = await candidates.find(pageFilter(after)).sort({ _id: 1 }).limit(WRITE_BATCH).toArray();
    if (page.length === 0) break;
    after = (page[page.length - 1] as CandidateRow)._id;
    tally.candidates += page.length;
    if (scope.dryRun) await dryRun(page);
    else await reclaimPage(page);
    await onProgress(tally.candidates);
  }
  return tally;

  async function dryRun(page: CandidateRow[]): Promise<void> {
    const now = scope.now();
    const deactivate = unique(page.filter((c) => c.action === 'deactivate_user').map((c) => c.userId));
    const freezeUsers = unique(page.filter((c) => c.action === 'freeze_user').map((c) => c.userId));
    const removals = await assignmentOfCandidates(page.filter((c) => c.action === 'remove_assignment'));
    const cascade = await assignmentsOfUsers(deactivate);
    const logins =
      freezeUsers.length > 0 ? await userLoginIds(client, freezeUsers) : new Map<string, string>();
    const calls = [
      ...planDeactivation(deactivate),
      ...planFreeze(freezeUsers.flatMap((u) => logins.get(u) ?? [])),
      ...planAssignmentRemoval(unique([...cascade.keys(), ...removals.values()])),
    ];
    tally.plannedCalls.push(...calls);
    const byOutcome = new Map<string, string[]>();
    for (const c of page) {
      const outcome =
        c.action === 'deactivate_user'
          ? 'dry run: would PATCH User IsActive=false and DELETE its assignments'
          : c.action === 'freeze_user'
            ? 'dry run: would PATCH UserLogin IsFrozen=true'
            : removals.has(c._id)
              ? `dry run: would DELETE assignment ${removals.get(c._id)}`
              : 'dry run: no assignment id known for this subscription';
      byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), c._id]);
    }
    for (const [outcome, ids] of byOutcome) {
      for (const status of ['ready', 'reclaiming'] as const) {
        await setMany(ids, status, { $set: { outcome, reclaimRunId: scope.runId, updatedAt: now } });
      }
    }
  }

  async function reclaimPage(page: CandidateRow[]): Promise<void> {
    const fresh = page.filter((c) => c.status === 'ready').map((c) => c._id);
    const interrupted = page.filter((c) => c.status === 'reclaiming');
    // Intent first: if the process dies during the call, these are found `reclaiming` next time.
    const intentAt = scope.now();
    await setMany(fresh, 'ready', {
      $set: { status: 'reclaiming', reclaimRunId: scope.runId, updatedAt: intentAt },
      $inc: { attempts: 1 },
    });
    await setMany(
      interrupted.map((c) => c._id),
      'reclaiming',
      { $set: { reclaimRunId: scope.runId, updatedAt: intentAt }, $inc: { attempts: 1 } },
    );
    // Act only on what this run now holds (an admin may have rejected one a moment ago).
    const acting = await candidates
      .find({ _id: { $in: page.map((c) => c._id) }, status: 'reclaiming', reclaimRunId: scope.runId })
      .toArray();
    const wasInterrupted = new Set(interrupted.map((c) => c._id));
    const verdicts = new Map<string, Verdict>();

    // Deactivation, after checking users whose earlier attempt was interrupted.
    const deactivating = acting.filter((c) => c.action === 'deactivate_user');
    const recheck = unique(deactivating.filter((c) => wasInterrupted.has(c._id)).map((c) => c.userId));
    const stillActive = recheck.length > 0 ? await activeUsers(client, recheck) : new Set<string>();
    const alreadyInactive = new Set(recheck.filter((u) => !stillActive.has(u)));
    tally.verifiedAfterInterruption += alreadyInactive.size;
    const toDeactivate = unique(deactivating.map((c) => c.userId)).filter((u) => !alreadyInactive.has(u));
    const deactivation = new Map<string, ReturnType<typeof refusalOf> | null>();
    for (const call of planDeactivation(toDeactivate)) {
      const outcomes = await send(client, call);
      for (const userId of call.ids) {
        const outcome = outcomes.get(userId);
        deactivation.set(userId, isDone(outcome, false) ? null : refusalOf(outcome));
      }
    }
    const deactivated = [...alreadyInactive, ...toDeactivate.filter((u) => deactivation.get(u) === null)];

    // Freezing: the freeze action, and refused deactivations whose rule says so.
    const freezeUsers = unique([
      ...acting.filter((c) => c.action === 'freeze_user').map((c) => c.userId),
      ...deactivating
        .filter((c) => deactivation.get(c.userId) && freezesOnRefusal.has(String(c.ruleId)))
        .map((c) => c.userId),
    ]);
    const frozen = new Map<string, ReturnType<typeof refusalOf> | null>();
    if (freezeUsers.length > 0) {
      const logins = await userLoginIds(client, freezeUsers);
      const userOfLogin = new Map([...logins].map(([user, login]) => [login, user]));
      for (const call of planFreeze([...logins.values()])) {
        const outcomes = await send(client, call);
        for (const loginId of call.ids) {
          const outcome = outcomes.get(loginId);
          frozen.set(userOfLogin.get(loginId) ?? loginId, isDone(outcome, false) ? null : refusalOf(outcome));
        }
      }
      for (const user of freezeUsers) {
        if (!frozen.has(user))
          frozen.set(user, { code: 'USER_LOGIN_NOT_FOUND', message: 'no UserLogin record for this user' });
      }
    }

    // Assignments: those of deactivated users (deactivation does not free them) and the removals asked for.
    const cascade = await assignmentsOfUsers(deactivated);
    const removing = acting.filter((c) => c.action === 'remove_assignment');
    const asked = await assignmentOfCandidates(removing);
    const removal = new Map<string, ReturnType<typeof refusalOf> | null>();
    for (const call of planAssignmentRemoval(unique([...cascade.keys(), ...asked.values()]))) {
      const outcomes = await send(client, call);
      for (const id of call.ids) {
        const outcome = outcomes.get(id);
        const done = isDone(outcome, true);
        removal.set(id, done ? null : refusalOf(outcome));
        if (done) tally.assignmentsRemoved += 1;
        else tally.assignmentRemovalsFailed += 1;
      }
    }

    for (const c of acting) {
      if (c.action === 'deactivate_user') {
        const refusal = alreadyInactive.has(c.userId) ? null : deactivation.get(c.userId);
        if (refusal === null || refusal === undefined) {
          const outcome = alreadyInactive.has(c.userId)
            ? 'already inactive in Salesforce (checked after an interrupted attempt)'
            : 'deactivated';
          verdicts.set(c._id, { status: 'reclaimed', outcome, error: null });
        } else if (frozen.has(c.userId)) {
          const freezeError = frozen.get(c.userId);
          if (!freezeError) tally.frozenInstead += 1;
          verdicts.set(c._id, {
            status: 'failed',
            outcome: freezeError
              ? `deactivation refused; freeze failed: ${freezeError.code}`
              : 'deactivation refused; frozen instead',
            error: refusal,
          });
        } else {
          verdicts.set(c._id, { status: 'failed', outcome: 'deactivation refused', error: refusal });
        }
      } else if (c.action === 'freeze_user') {
        const error = frozen.get(c.userId) ?? null;
        verdicts.set(
          c._id,
          error
            ? { status: 'failed', outcome: 'freeze failed', error }
            : { status: 'reclaimed', outcome: 'frozen', error: null },
        );
      } else {
        const assignmentId = asked.get(c._id);
        const error = assignmentId
          ? (removal.get(assignmentId) ?? null)
          : {
              code: 'ASSIGNMENT_UNKNOWN',
              message: 'the active snapshot has no assignment id for this subscription',
            };
        verdicts.set(
          c._id,
          error
            ? { status: 'failed', outcome: 'assignment removal failed', error }
            : { status: 'reclaimed', outcome: 'assignment removed', error: null },
        );
      }
    }
    await recordVerdicts(verdicts);
  }

  async function recordVerdicts(verdicts: ReadonlyMap<string, Verdict>): Promise<void> {
    const now = scope.now();
    const reclaimedByOutcome = new Map<string, string[]>();
    const failed: [string, Verdict][] = [];
    for (const [id, verdict] of verdicts) {
      if (verdict.status === 'reclaimed')
        reclaimedByOutcome.set(verdict.outcome, [...(reclaimedByOutcome.get(verdict.outcome) ?? []), id]);
      else failed.push([id, verdict]);
    }
    for (const [outcome, ids] of reclaimedByOutcome) {
      await setMany(ids, 'reclaiming', {
        $set: { status: 'reclaimed', outcome, lastError: null, reclaimedAt: now, updatedAt: now },
      });
      tally.reclaimed += ids.length;
    }
    const result = await bulkWriteInChunks(
      candidates,
      failed.map(([id, verdict]) => ({
        updateOne: {
          filter: { _id: id, status: 'reclaiming' as CandidateStatus },
          update: {
            $set: {
              status: 'failed' as CandidateStatus,
              outcome: verdict.outcome,
              lastError: verdict.error,
              updatedAt: now,
            },
          },
        },
      })),
    );
    tally.failed += failed.length;
    tally.writes += result.modified;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
