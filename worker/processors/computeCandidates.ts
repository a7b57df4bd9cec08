/**
 * computeCandidates: exclusion rules, then every enabled reclamation rule, applied to the active
 * snapshot with database cursors (only rows that could match are read). A match becomes a removal
 * candidate with a deterministic `_id`, so recomputing adds no duplicates; open candidates
 * (pending/ready) that no longer match are cancelled; candidates in other states are left alone.
 */
import type { Job } from 'bullmq';
import { ObjectId, type Collection, type Filter } from 'mongodb';
import { bulkWriteInChunks } from '../../shared/db/bulkWriteInChunks.js';
import { candidatesOf, subscriptionsOf } from '../../shared/db/profileCollections.js';
import type { ReclamationRule } from '../../shared/db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { initialStatus } from '../../shared/domain/candidateLifecycle.js';
import { compileExclusions, type CompiledExclusions } from '../../shared/domain/exclusions.js';
import { inactivityCutoff } from '../../shared/domain/inactivity.js';
import { candidateId, evaluateRule, type CandidateMatch } from '../../shared/domain/reclamationRules.js';
import { SeatwiseError } from '../../shared/errors.js';
import { insertIgnoringDuplicates, INSERT_CHUNK_SIZE } from '../insertIgnoringDuplicates.js';
import { pipelinePages } from '../pagePipeline.js';
import { parseRunPayload } from '../jobPayload.js';
import type { JobOutcome, JobProcessor, WorkerDeps } from '../workerDeps.js';
import type { SubscriptionRow } from './downloadSubscriptions/subscriptionRows.js';

export interface ComputeCandidatesOptions {
  now?: () => Date;
}

type Rule = ReclamationRule & { _id: ObjectId };
interface Match {
  rule: Rule;
  row: SubscriptionRow;
  match: CandidateMatch;
}

interface CandidateDoc {
  _id: string;
  profileId: ObjectId;
  userId: string;
  username: string;
  identifier: string;
  ruleId: ObjectId;
  action: string;
  justification: string;
  evidence: CandidateMatch['evidence'];
  status: CandidateStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  attempts: number;
  lastError: null;
  reclaimRunId: string | null;
  outcome: string | null;
  reclaimedAt: Date | null;
  lastComputedSyncId: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One pass over the rows that could match any enabled rule (idle since the most lenient cut-off, or
 * held by a deactivated user); the evaluation itself (per-rule threshold, grace, exclusions,
 * boundaries) happens in code. One scan instead of one per rule: FerretDB filters scans itself.
 */
function preFilter(
  profileId: ObjectId,
  syncId: string,
  enabled: readonly Rule[],
  now: Date,
): Filter<SubscriptionRow> {
  const lenientCutoff = inactivityCutoff(Math.min(...enabled.map((r) => r.thresholdDays)), now);
  return {
    profileId,
    syncId,
    goneAt: null,
    identifier: { $in: enabled.map((r) => r.identifier) },
    $or: [{ isActive: false }, { lastLoginAt: { $lte: lenientCutoff } }, { lastLoginAt: null }],
  };
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
    const profile = await models.IntegrationProfile.findById(profileObjectId, { activeSyncId: 1 }).lean();
    if (!profile)
      throw new SeatwiseError('PROFILE_NOT_FOUND', `profile ${profileId} does not exist`, { profileId });
    const counts = { records: 0, pages: 0, apiCalls: 0, writes: 0 };
    const syncId = profile.activeSyncId;
    if (!syncId) {
      return { counts, apiUsage: null, result: { runId, skipped: 'no subscriptions downloaded yet' } };
    }
    const now = clock();
    const subscriptions = subscriptionsOf(models, profileObjectId)
      .collection as unknown as Collection<SubscriptionRow>;
    const candidates = candidatesOf(models, profileObjectId)
      .collection as unknown as Collection<CandidateDoc>;
    const rules = (await models.ReclamationRule.find({ profileId: profileObjectId }).lean()) as Rule[];
    const rulesByIdentifier = new Map(rules.map((r) => [r.identifier, r]));
    const exclusions: CompiledExclusions = compileExclusions(
      await models.ExclusionRule.find({ profileId: profileObjectId }).lean(),
    );
    const result = {
      matched: 0,
      created: 0,
      reopened: 0,
      cancelled: 0,
      excluded: 0,
      byRule: {} as Record<string, number>,
    };

    // One scan of the profile's candidates up front: FerretDB answers `_id: {$in: …}` with a full
    // collection scan, so asking per page would make the job quadratic in the org's size.
    const known = new Set<string>();
    const reopenable = new Set<string>();
    const open = new Map<string, string>(); // open candidate id → identifier, until seen matching again
    for await (const c of candidates
      .find({ profileId: profileObjectId }, { projection: { status: 1, identifier: 1 } })
      .batchSize(5_000)) {
      known.add(c._id);
      if (c.status === 'cancelled') reopenable.add(c._id);
      else if ((['pending', 'ready'] as CandidateStatus[]).includes(c.status)) open.set(c._id, c.identifier);
    }
    const excludedOpen = new Set<string>();

    function toDoc({ rule, row, match }: Match): CandidateDoc {
      return {
        _id: candidateId(profileId, row.userId, row.identifier),
        profileId: profileObjectId,
        userId: row.userId,
        username: row.username,
        identifier: row.identifier,
        ruleId: rule._id,
        action: rule.action,
        justification: match.justification,
        evidence: match.evidence,
        status: initialStatus(rule.requiresApproval),
        decidedBy: null,
        decidedAt: null,
        attempts: 0,
        lastError: null,
        reclaimRunId: null,
        outcome: null,
        reclaimedAt: null,
        lastComputedSyncId: syncId as string,
        createdAt: now,
        updatedAt: now,
      };
    }

    async function flush(matches: Match[]): Promise<void> {
      if (matches.length === 0) return;
      const docs = matches.map(toDoc);
      const inserted = await insertIgnoringDuplicates(
        candidates,
        docs.filter((d) => !known.has(d._id)),
      );
      const reopen = docs.filter((d) => reopenable.has(d._id));
      const reopened = await bulkWriteInChunks(
        candidates,
        reopen.map((d) => ({
          updateOne: {
            filter: { _id: d._id, status: 'cancelled' as CandidateStatus },
            update: {
              $set: {
                status: d.status,
                ruleId: d.ruleId,
                action: d.action,
                justification: d.justification,
                evidence: d.evidence,
                outcome: null,
                lastComputedSyncId: d.lastComputedSyncId,
                updatedAt: now,
              },
            },
          },
        })),
      );
      result.created += inserted;
      result.reopened += reopened.modified;
      counts.writes += inserted + reopened.modified;
    }

    const enabled = rules.filter((r) => r.enabled);
    const enabledByIdentifier = new Map(enabled.map((r) => [r.identifier, r]));
    await job.updateProgress({ phase: 'match', done: 0, total: 0 });
    const activeSyncId = syncId;
    /** Matches in batches; the next batch is read while the previous one is written. */
    async function* matchBatches(): AsyncIterable<Match[]> {
      let buffer: Match[] = [];
      const cursor = subscriptions
        .find(preFilter(profileObjectId, activeSyncId, enabled, now))
        .batchSize(INSERT_CHUNK_SIZE);
      for await (const row of cursor) {
        counts.records += 1;
        const rule = enabledByIdentifier.get(row.identifier);
        if (!rule) continue;
        const id = candidateId(profileId, row.userId, row.identifier);
        const verdict = evaluateRule(rule, row, exclusions, now);
        if (!verdict.matches) {
          if (verdict.reason === 'excluded') {
            result.excluded += 1;
            if (open.has(id)) excludedOpen.add(id);
          }
          continue;
        }
        open.delete(id);
        result.matched += 1;
        result.byRule[rule.identifier] = (result.byRule[rule.identifier] ?? 0) + 1;
        buffer.push({ rule, row, match: verdict.candidate });
        if (buffer.length >= INSERT_CHUNK_SIZE) {
          yield buffer;
          buffer = [];
          await job.updateProgress({ phase: 'match', done: counts.records, total: counts.records });
        }
      }
      if (buffer.length > 0) yield buffer;
    }
    if (enabled.length > 0) await pipelinePages(matchBatches(), flush);

    // Open candidates this pass did not match again no longer qualify: retire them.
    await job.updateProgress({ phase: 'retire', done: 0, total: open.size });
    const byReason = new Map<string, string[]>();
    for (const [id, identifier] of open) {
      const rule = rulesByIdentifier.get(identifier);
      const reason = excludedOpen.has(id)
        ? 'excluded'
        : !rule
          ? 'rule_removed'
          : !rule.enabled
            ? 'rule_disabled'
            : 'activity_seen_or_license_gone';
      byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
    }
    for (const [reason, ids] of byReason) {
      // One updateOne per id: FerretDB narrows `_id` equality inside SQLite, but `$in` only after
      // decoding every document of the collection.
      const cancelled = await bulkWriteInChunks(
        candidates,
        ids.map((id) => ({
          updateOne: {
            filter: { _id: id, status: { $in: ['pending', 'ready'] as CandidateStatus[] } },
            update: {
              $set: {
                status: 'cancelled' as CandidateStatus,
                outcome: `no longer matches: ${reason}`,
                lastComputedSyncId: syncId,
                updatedAt: now,
              },
            },
          },
        })),
      );
      result.cancelled += cancelled.modified;
      counts.writes += cancelled.modified;
    }

    return { counts, apiUsage: null, result: { runId, syncId, ...result } };
  };
}
