/**
 * computeCandidates: exclusion rules, spared users, then every enabled reclamation rule, applied to
 * the active snapshot's compact summary (a few documents per 10,000 users, written by the download
 * beside the user documents; no subscription document is read). A match becomes a
 * removal candidate with a deterministic `_id`, so recomputing adds no duplicates. Every existing
 * open candidate is reconciled with the rule as it stands (`candidateReconcile.ts`): a changed rule
 * or action voids its approval, and one that no longer matches is cancelled with the reason. Only
 * the reclaim job settles `reclaiming` and `frozen` candidates: it alone can ask Salesforce.
 */
import type { Job } from 'bullmq';
import { ObjectId, type Collection } from 'mongodb';
import { appendAudit, ruleReference, type AuditInput } from '../../shared/db/auditLog.js';
import { candidateJournalOf, consumeJournal } from '../../shared/db/candidateJournal.js';
import { writeLedger } from '../../shared/db/candidateLedger.js';
import { firstFreePosition, listingPosition } from '../../shared/db/candidateListing.js';
import { loadKnownCandidates } from '../../shared/db/candidateState.js';
import { UnseenCandidates } from '../../shared/db/candidateTable.js';
import { applyCandidateMoves, targetOf, type CandidateMove } from '../../shared/db/candidateMoves.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { readSummary, type UserSummary } from '../../shared/db/subscriptionSummary.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { reconcile } from '../../shared/domain/candidateReconcile.js';
import { compileExclusions, type CompiledExclusions } from '../../shared/domain/exclusions.js';
import { candidateId, evaluateRule, type SubscriptionFacts } from '../../shared/domain/reclamationRules.js';
import { sparedReason } from '../../shared/domain/sparedUsers.js';
import { SeatwiseError } from '../../shared/errors.js';
import { recordSavingsPoint } from '../../shared/savings/savingsHistory.js';
import { ActiveSeatTally } from '../../shared/savings/seatFacts.js';
import { seatThresholds, type CountedActiveSeats } from '../../shared/savings/savingsTable.js';
import { insertIgnoringDuplicates, INSERT_CHUNK_SIZE } from '../insertIgnoringDuplicates.js';
import { WRITES_IN_FLIGHT } from '../../shared/db/engineQuirks.js';
import { pipelinePages } from '../pagePipeline.js';
import { parseRunPayload } from '../jobPayload.js';
import type { JobOutcome, JobProcessor, WorkerDeps } from '../workerDeps.js';
import {
  existingOf,
  knownOf,
  newCandidateDoc,
  ruleApproval,
  type Approval,
  type CandidateDoc,
  type ComputeContext,
  type KnownCandidate,
  type Match,
  type Rule,
} from './computeCandidates/candidateDocs.js';

export interface ComputeCandidatesOptions {
  now?: () => Date;
}

const ACTOR = 'system:computeCandidates';

/** The alias's own user (Authorization Code user or Client Credentials run-as user) is never reclaimed. */
async function connectedUserIds(deps: WorkerDeps, aliasId: ObjectId | null): Promise<string[]> {
  if (!aliasId) return [];
  const alias = await deps.models.ConnectionAlias.findById(aliasId, { 'tokens.userId': 1 }).lean();
  return alias?.tokens?.userId ? [alias.tokens.userId] : [];
}

export function createComputeCandidatesProcessor(
  deps: WorkerDeps,
  options: ComputeCandidatesOptions = {},
): JobProcessor {
  const clock = options.now ?? (() => new Date());
  return async (job: Job): Promise<JobOutcome> => {
    const { profileId, runId } = parseRunPayload(job);
    const { models } = deps;
    const profileObjectId = new ObjectId(profileId);
    const profile = await models.IntegrationProfile.findById(profileObjectId, {
      activeSyncId: 1,
      aliasId: 1,
    }).lean();
    if (!profile)
      throw new SeatwiseError('PROFILE_NOT_FOUND', `profile ${profileId} does not exist`, { profileId });
    const counts = { records: 0, pages: 0, apiCalls: 0, writes: 0 };
    const syncId = profile.activeSyncId;
    if (!syncId) {
      return { counts, apiUsage: null, result: { runId, skipped: 'no subscriptions downloaded yet' } };
    }
    const now = clock();
    const context: ComputeContext = { profileId, profileObjectId, syncId, now };
    const snapshot = snapshotOf(models, profileObjectId, syncId);
    const candidates = candidatesOf(models, profileObjectId)
      .collection as unknown as Collection<CandidateDoc>;
    const rules = (await models.ReclamationRule.find({ profileId: profileObjectId }).lean()) as Rule[];
    const rulesById = new Map(rules.map((r) => [String(r._id), r]));
    const rulesByIdentifier = new Map(rules.map((r) => [r.identifier, r]));
    const exclusions: CompiledExclusions = compileExclusions(
      await models.ExclusionRule.find({ profileId: profileObjectId }).lean(),
    );
    const connected = await connectedUserIds(deps, profile.aliasId ?? null);
    // The savings point's active seats are counted on the pass below: a second read of the summary
    // took 1.4–1.7 s of a 100,000-user compute.
    const softwareModels = await models.SoftwareModel.find(
      { profileId: profileObjectId },
      { identifier: 1 },
    ).lean();
    const seats = new ActiveSeatTally(
      seatThresholds(
        softwareModels.map((m) => m.identifier),
        rules,
      ),
      now,
    );
    const result = {
      matched: 0,
      created: 0,
      reopened: 0,
      cancelled: 0,
      resetToPending: 0,
      excluded: 0,
      spared: 0,
      byRule: {} as Record<string, number>,
    };

    // What exists, from the ledger the previous compute wrote plus what was written since: reading
    // every candidate back decoded each of them on FerretDB and made a re-sync dearer than a first.
    const loaded = await loadKnownCandidates(models, profileObjectId);
    const { known } = loaded;
    /** The place the next new candidate takes in the list's default order, if the order is whole. */
    let nextPosition = loaded.listed === null ? null : await firstFreePosition(candidates, loaded.listed);
    const journal = candidateJournalOf(models, profileObjectId);
    /** Candidates whose state this run could not confirm: the next compute reads them again. */
    const unconfirmed = new Set<string>();
    const unseen = new UnseenCandidates(known);
    const missReason = new Map<string, string>();
    const audits: AuditInput[] = [];

    /**
     * Takes written moves into `known`. Moves are conditional on the status they start from: when
     * fewer moved than were asked, someone else moved some meanwhile, and which is unknown here.
     */
    function settle(moves: readonly CandidateMove[], moved: number): void {
      for (const move of moves) {
        const c = known.get(move.id);
        if (!c) continue;
        const set = move.set ?? {};
        const approval = set.approval as Approval | null | undefined;
        known.set(move.id, {
          ...c,
          status: targetOf(move.from, move.events),
          ruleId: (set.ruleId as ObjectId | undefined) ?? c.ruleId,
          ruleRevision: (set.ruleRevision as number | undefined) ?? c.ruleRevision,
          action: (set.action as KnownCandidate['action'] | undefined) ?? c.action,
          approval:
            approval === undefined
              ? c.approval
              : approval && {
                  ruleId: approval.ruleId,
                  ruleRevision: approval.ruleRevision,
                  action: approval.action,
                },
        });
        if (moved < moves.length) unconfirmed.add(move.id);
      }
    }

    /** A move for a matched row whose candidate exists, or null when it stays as it is. */
    function moveFor(m: Match, existing: KnownCandidate): CandidateMove | null {
      const plan = reconcile(
        existingOf(existing),
        {
          id: String(m.rule._id),
          revision: m.rule.revision ?? 1,
          action: m.rule.action,
          requiresApproval: m.rule.requiresApproval,
        },
        m.spared ? { matches: false, reason: `spared: ${m.spared}` } : { matches: true },
      );
      if (!plan) return null;
      const approval =
        plan.approval === 'rule' ? ruleApproval(m.rule, now) : plan.approval === 'clear' ? null : undefined;
      return {
        id: existing._id,
        from: existing.status,
        events: plan.events,
        set: {
          ...(approval !== undefined ? { approval } : {}),
          ruleId: m.rule._id,
          ruleRevision: m.rule.revision ?? 1,
          action: m.rule.action,
          justification: m.match.justification,
          evidence: m.match.evidence,
          reason: plan.reason,
          lastComputedSyncId: syncId,
        },
      };
    }

    async function flush(matches: Match[]): Promise<void> {
      if (matches.length === 0) return;
      const fresh: CandidateDoc[] = [];
      const moves: CandidateMove[] = [];
      for (const m of matches) {
        const id = candidateId(profileId, m.row.userId, m.row.identifier);
        const existing = known.get(id);
        if (!existing) {
          const doc = newCandidateDoc(m, context);
          fresh.push(nextPosition === null ? doc : { ...doc, ...listingPosition(nextPosition++) });
          continue;
        }
        const move = moveFor(m, existing);
        if (move) moves.push(move);
      }
      const inserted = await insertIgnoringDuplicates(candidates, fresh);
      // A duplicate is a candidate the ledger did not know (an earlier attempt inserted it).
      if (inserted === fresh.length) for (const d of fresh) known.set(d._id, knownOf(d));
      else for (const d of fresh) unconfirmed.add(d._id);
      const moved = await applyCandidateMoves(candidates, moves, now, journal);
      for (const move of moves) {
        if (move.from === 'cancelled') result.reopened += 1;
        else if (move.events.includes('no_longer_matches')) result.cancelled += 1;
        else result.resetToPending += 1;
      }
      audits.push(...moves.map((m) => auditOf(m)));
      settle(moves, moved);
      // A rule that needs no approval approves its new candidates: that is a decision too.
      audits.push(...fresh.filter((d) => d.status === 'ready').map((d) => approvalAudit(d)));
      result.created += inserted;
      counts.writes += inserted + moved;
    }

    const approvalAudit = (d: CandidateDoc): AuditInput => {
      const rule = rulesById.get(String(d.ruleId));
      return {
        profileId: profileObjectId,
        runId,
        candidateId: d._id,
        userId: d.userId,
        username: d.username,
        action: 'approve',
        actor: d.approval?.by ?? ACTOR,
        rule: ruleReference(rule),
        evidence: d.evidence,
        outcome: 'new → ready (the rule needs no approval)',
        at: now,
      };
    };
    const auditOf = (move: CandidateMove): AuditInput => {
      const c = known.get(move.id);
      const rule = c ? rulesById.get(String(c.ruleId)) : undefined;
      return {
        profileId: profileObjectId,
        runId,
        candidateId: move.id,
        userId: c?.userId ?? null,
        username: c?.username ?? null,
        action: move.events.includes('no_longer_matches')
          ? 'cancel'
          : move.events.includes('matched_preapproved')
            ? 'approve'
            : 'reset_to_pending',
        actor: move.events.includes('matched_preapproved') && rule ? ruleApproval(rule, now).by : ACTOR,
        rule: ruleReference(rule),
        evidence: (move.set?.evidence as Record<string, unknown> | undefined) ?? null,
        outcome: `${move.from} → ${move.events.join(' → ')}`,
        reason: (move.set?.reason as string | null | undefined) ?? null,
        at: now,
      };
    };

    const enabled = rules.filter((r) => r.enabled);
    const enabledByIdentifier = new Map(enabled.map((r) => [r.identifier, r]));
    await job.updateProgress({ phase: 'match', done: 0, total: 0 });
    /** The facts a rule looks at, for one license of one user of the summary. */
    const factsOf = (u: UserSummary, l: UserSummary['licenses'][number]): SubscriptionFacts => ({
      identifier: l.identifier,
      userId: u.userId,
      username: u.username,
      profileName: u.profileName,
      userType: u.userType,
      isActive: u.isActive,
      goneAt: l.goneAt,
      lastLoginAt: u.lastLoginAt,
      userCreatedAt: u.userCreatedAt,
    });
    /** Matches in batches; the next summary document is read while the previous matches are written. */
    async function* matchBatches(): AsyncIterable<Match[]> {
      let buffer: Match[] = [];
      for await (const users of readSummary(snapshot)) {
        for (const u of users) {
          seats.add(u);
          const spared = sparedReason(u, connected);
          for (const l of u.licenses) {
            counts.records += 1;
            const rule = enabledByIdentifier.get(l.identifier);
            if (!rule) continue;
            const row = factsOf(u, l);
            const id = candidateId(profileId, u.userId, l.identifier);
            const verdict = evaluateRule(rule, row, exclusions, now);
            if (!verdict.matches) {
              if (verdict.reason === 'excluded') result.excluded += 1;
              // Why only for a candidate that exists: a million users' non-matches held ~100 MB.
              if (unseen.has(id)) missReason.set(id, verdict.reason);
              continue;
            }
            unseen.delete(id);
            if (spared) result.spared += 1;
            else {
              result.matched += 1;
              result.byRule[rule.identifier] = (result.byRule[rule.identifier] ?? 0) + 1;
            }
            buffer.push({ rule, row, match: verdict.candidate, spared });
            if (buffer.length >= INSERT_CHUNK_SIZE) {
              yield buffer;
              buffer = [];
            }
          }
        }
        await job.updateProgress({ phase: 'match', done: counts.records, total: counts.records });
      }
      if (buffer.length > 0) yield buffer;
    }
    if (enabled.length > 0) await pipelinePages(matchBatches(), flush, WRITES_IN_FLIGHT);

    // Candidates this pass did not match again no longer qualify.
    await job.updateProgress({ phase: 'retire', done: 0, total: unseen.size });
    const retire: CandidateMove[] = [];
    for (const id of unseen.ids()) {
      const c = known.get(id) as KnownCandidate;
      const rule = rulesByIdentifier.get(c.identifier);
      const reason =
        missReason.get(id) ??
        (!rule ? 'rule_removed' : !rule.enabled ? 'rule_disabled' : 'activity_seen_or_license_gone');
      const plan = reconcile(existingOf(c), null, { matches: false, reason });
      if (!plan) continue;
      retire.push({
        id,
        from: c.status,
        events: plan.events,
        set: { approval: null, reason: plan.reason, lastComputedSyncId: syncId },
      });
    }
    const retired = await applyCandidateMoves(candidates, retire, now, journal);
    result.cancelled += retire.length;
    counts.writes += retired;
    audits.push(...retire.map(auditOf));
    settle(retire, retired);
    await appendAudit(models, audits);
    await writeLedger(models, profileObjectId, known.values(), nextPosition);
    await candidateJournalOf(models, profileObjectId).record(unconfirmed);
    await consumeJournal(models, profileObjectId, [...loaded.journalEntries, ...journal.written]);
    // From the state in hand: reading the ledger back held a second copy of every candidate.
    const activeSeats: CountedActiveSeats | undefined =
      enabled.length > 0
        ? { syncId, thresholds: seats.thresholdDaysByIdentifier, counts: seats.counts }
        : undefined;
    await recordSavingsPoint(models, profileId, runId, now, { candidates: known.values(), activeSeats });

    return {
      counts,
      apiUsage: null,
      result: { runId, syncId, ...result, known: loaded.source, reread: loaded.reread },
    };
  };
}
