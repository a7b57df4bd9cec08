/**
 * A person's decisions on removal candidates: approve, reject, withdraw, retry. Every move comes from
 * the one transition table (shared/domain/candidateLifecycle.ts) and is written as an update
 * conditional on the status it starts from, so a move the table does not list cannot happen, even
 * while computeCandidates or reclaim move the same candidates.
 */
import type { Collection, Filter } from 'mongodb';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem } from '../http/problem.js';
import { candidateId, conflict } from '../http/schemas.js';
import { appendAudit, type AuditInput } from '../../shared/db/auditLog.js';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { findByIds } from '../../shared/db/findByIds.js';
import { CANDIDATE_STATUSES, type CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { statusesAllowing, transition } from '../../shared/domain/candidateLifecycle.js';
import { candidateIdParts } from '../../shared/domain/reclamationRules.js';
import type { ApiServices } from './apiServices.js';
import { loadProfile } from './profiles.service.js';
import { withRedisLock } from './redisLock.js';

export const CANDIDATE_DECISIONS = ['approve', 'reject', 'withdraw', 'retry'] as const;
export type CandidateDecision = (typeof CANDIDATE_DECISIONS)[number];

/** Decisions that give an approval (and so bind it to the rule as it stands). */
const APPROVING: ReadonlySet<CandidateDecision> = new Set(['approve', 'retry']);

/**
 * Ids per decision request. On FerretDB each request decodes the profile's candidates in the
 * statuses it starts from, whatever its size (`engineQuirks.ts`): 10,000 approvals took 85 s as
 * 500-id requests. A request of this many ids is about 650 kB, hence the route's body limit.
 */
export const MAX_DECISION_IDS = 10_000;

export const candidateDecisionSchema = z
  .object({
    decision: z.enum(CANDIDATE_DECISIONS),
    ids: z.array(candidateId).min(1).max(MAX_DECISION_IDS),
  })
  .strict()
  .meta({ id: 'CandidateDecision' });

export const decisionResultSchema = z
  .object({
    /** The candidates this request moved. */
    decided: z.array(z.string()),
    /** Where they went. */
    status: z.enum(CANDIDATE_STATUSES),
    /** Candidates that passed the checks but were moved by someone else before our write reached them. */
    skipped: z.array(z.object({ id: z.string(), status: z.string() })),
  })
  .meta({ id: 'CandidateDecisionResult' });

export type DecisionResult = z.infer<typeof decisionResultSchema>;

/**
 * Ids per read or write. On FerretDB each is one scan of the candidates in the status it names,
 * whatever the number of ids (reads: `findByIds.ts`): a request's ids go in one command, not in
 * slices that each scan. Writes are not split by reclaim shard: each command would scan the
 * collection in PostgreSQL again (approving 10,000 of 20,723 took 145 commands and 15.6 s, against
 * 12.9 s in 9), while the ids a document is tested against cost little next to its update.
 */
const SLICE = MAX_DECISION_IDS;

interface CandidateDoc {
  _id: string;
  userId: string;
  username: string;
  identifier: string;
  ruleId: Types.ObjectId;
  ruleRevision?: number | null;
  action: string;
  evidence: Record<string, unknown>;
  status: CandidateStatus;
}

const CANDIDATE_FIELDS = {
  userId: 1,
  username: 1,
  identifier: 1,
  ruleId: 1,
  ruleRevision: 1,
  action: 1,
  evidence: 1,
  status: 1,
} as const;

interface RuleDoc {
  _id: Types.ObjectId;
  identifier: string;
  revision?: number | null;
  action: string;
  thresholdDays: number;
  enabled: boolean;
  deactivateNow?: boolean | null;
}

function slices<T>(items: readonly T[], size = SLICE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The ids by the license identifier each names (`candidateIdParts`); null for ids this profile did
 * not build. Approving 10,000 of 20,723 pending candidates, all of user licenses, the read before
 * the write took 2.5 s instead of 3.0 (one run each); an org holds tens of licenses, so the groups
 * stay few.
 */
function byNamedIdentifier(profileId: string, ids: readonly string[]): Map<string | null, string[]> {
  const groups = new Map<string | null, string[]>();
  for (const id of ids) {
    const parts = candidateIdParts(id);
    const identifier = parts?.profileId === profileId ? parts.identifier : null;
    const group = groups.get(identifier);
    if (group) group.push(id);
    else groups.set(identifier, [id]);
  }
  return groups;
}

/** The rule as an audit entry records it; the candidate's own view when the rule is gone. */
function auditRule(c: CandidateDoc, rule: RuleDoc | undefined): NonNullable<AuditInput['rule']> {
  if (rule) {
    return {
      id: rule._id,
      identifier: rule.identifier,
      revision: rule.revision ?? 1,
      action: rule.action,
      thresholdDays: rule.thresholdDays,
    };
  }
  return {
    id: c.ruleId,
    identifier: c.identifier,
    revision: c.ruleRevision ?? 1,
    action: c.action,
    thresholdDays: Number(c.evidence.thresholdDays ?? 0),
  };
}

/** The first few of a list for a message; the problem's details carry all of them. */
function firstFew(items: readonly string[], few = 20): string {
  const more = items.length - few;
  return more > 0 ? `${items.slice(0, few).join(', ')} and ${more} more` : items.join(', ');
}

function unknownCandidates(ids: string[]): ApiProblem {
  return new ApiProblem(404, 'NOT_FOUND', `no such removal candidates: ${firstFew(ids)}`, {
    unknown: ids,
    errors: ids.map((id) => ({ field: 'body.ids', message: `${id} does not exist` })),
  });
}

/**
 * Applies one decision to every named candidate, or to none: each must exist (else 404 naming the
 * unknown), have a move for the decision in the table (else 409 INVALID_TRANSITION naming id and
 * status) and, to approve or retry, still be what its rule decides now (else 409 RULE_DISABLED or
 * RULE_CHANGED: the admin would approve something other than what they see; re-sync first).
 *
 * The approval is bound to the rule as it stands: `{by, at, ruleId, ruleRevision, action,
 * deactivateNow}`. A write that finds a candidate already moved (a race) leaves it and says so in
 * `skipped`; each candidate that moved gets one audit entry.
 */
export async function decideCandidates(
  s: ApiServices,
  profileId: string,
  input: z.infer<typeof candidateDecisionSchema>,
  actor: Actor,
): Promise<DecisionResult> {
  // One decision at a time per profile across api processes: on FerretDB two conditional updates of
  // one candidate can both match (an approve and a reject both "moved" it). The pipeline's moves
  // are not under this lock; on MongoDB the conditional update alone keeps those apart.
  return withRedisLock(
    s,
    `candidate-decisions:${profileId}`,
    'another decision on this profile is being written; try again',
    () => decide(s, profileId, input, actor),
    { waitMs: 30_000 },
  );
}

async function decide(
  s: ApiServices,
  profileId: string,
  input: z.infer<typeof candidateDecisionSchema>,
  actor: Actor,
): Promise<DecisionResult> {
  const profile = await loadProfile(s, profileId);
  const pid = profile._id;
  const model = candidatesOf(s.models, pid);
  const ids = [...new Set(input.ids)];
  const event = input.decision;

  const stored = model.collection as unknown as Collection<CandidateDoc>;
  const read = (filter: Filter<CandidateDoc>, some: readonly string[]) =>
    findByIds(s.models, stored, filter, some, CANDIDATE_FIELDS);
  // First only the statuses the decision can start from, each id among the candidates of the
  // license its id names: on FerretDB the equalities narrow what is decoded. Anything not found
  // there is an error the answer must name (unknown, or in another status), read in full only then.
  const found: CandidateDoc[] = [];
  for (const [identifier, some] of byNamedIdentifier(String(pid), ids)) {
    const license = identifier === null ? {} : { identifier };
    for (const slice of slices(some))
      for (const from of statusesAllowing(event))
        found.push(...(await read({ ...license, status: from, profileId: pid }, slice)));
  }
  if (new Set(found.map((c) => c._id)).size < ids.length) {
    found.length = 0;
    for (const slice of slices(ids)) found.push(...(await read({ profileId: pid }, slice)));
  }
  const byId = new Map(found.map((c) => [c._id, c]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw unknownCandidates(unknown);

  const candidates = ids.map((id) => byId.get(id)!);
  const illegal = candidates.filter((c) => transition(c.status, event) === null);
  if (illegal.length > 0) {
    const allowed = statusesAllowing(event);
    throw conflict(
      'INVALID_TRANSITION',
      `${event} applies only to candidates that are ${allowed.join(' or ')}; not: ${firstFew(illegal.map((c) => `${c._id} (${c.status})`))}`,
      {
        decision: event,
        allowedFrom: allowed,
        invalid: illegal.map((c) => ({ id: c._id, status: c.status })),
      },
    );
  }

  const ruleIds = [...new Set(candidates.map((c) => String(c.ruleId)))];
  const rules = await s.models.ReclamationRule.find({
    _id: { $in: ruleIds.map((id) => new Types.ObjectId(id)) },
    profileId: pid,
  })
    .select({ identifier: 1, revision: 1, action: 1, thresholdDays: 1, enabled: 1, deactivateNow: 1 })
    .lean<RuleDoc[]>();
  const ruleOf = new Map(rules.map((r) => [String(r._id), r]));

  if (APPROVING.has(event)) {
    const disabled = candidates.filter((c) => !ruleOf.get(String(c.ruleId))?.enabled);
    if (disabled.length > 0) {
      throw conflict(
        'RULE_DISABLED',
        `the rule of these candidates is disabled or gone, so nothing may be reclaimed under it: ${firstFew(disabled.map((c) => c._id))}`,
        {
          candidates: disabled.map((c) => ({
            id: c._id,
            ruleId: String(c.ruleId),
            rule: ruleOf.has(String(c.ruleId)) ? 'disabled' : 'deleted',
          })),
        },
      );
    }
    const changed = candidates.filter((c) => {
      const rule = ruleOf.get(String(c.ruleId))!;
      return (rule.revision ?? 1) !== (c.ruleRevision ?? 1) || rule.action !== c.action;
    });
    if (changed.length > 0) {
      throw conflict(
        'RULE_CHANGED',
        `the rule changed since these candidates were computed; re-sync before deciding: ${firstFew(changed.map((c) => c._id))}`,
        {
          candidates: changed.map((c) => {
            const rule = ruleOf.get(String(c.ruleId))!;
            return {
              id: c._id,
              candidate: { ruleRevision: c.ruleRevision ?? 1, action: c.action },
              rule: { revision: rule.revision ?? 1, action: rule.action },
            };
          }),
        },
      );
    }
  }

  // One conditional update per (from status, rule) group: the approval differs by rule.
  const at = new Date();
  const groups = new Map<
    string,
    { from: CandidateStatus; to: CandidateStatus; rule?: RuleDoc; ids: string[] }
  >();
  for (const c of candidates) {
    const to = transition(c.status, event)!;
    const rule = APPROVING.has(event) ? ruleOf.get(String(c.ruleId)) : undefined;
    const key = `${c.status}|${rule ? String(rule._id) : ''}`;
    const group = groups.get(key) ?? { from: c.status, to, rule, ids: [] };
    group.ids.push(c._id);
    groups.set(key, group);
  }

  const moved = new Map<string, { from: CandidateStatus; to: CandidateStatus }>();
  for (const group of groups.values()) {
    const { from, to, rule } = group;
    const filter: Record<string, unknown> = { profileId: pid, status: from };
    const set: Record<string, unknown> = { status: to, decidedBy: actor.name, decidedAt: at };
    if (rule) {
      // Only candidates still computed under this very rule revision and action take the approval.
      Object.assign(filter, { ruleId: rule._id, ruleRevision: rule.revision ?? 1, action: rule.action });
      set.approval = {
        by: actor.name,
        at,
        ruleId: rule._id,
        ruleRevision: rule.revision ?? 1,
        action: rule.action,
        deactivateNow: rule.deactivateNow ?? false,
      };
    } else {
      set.approval = null;
    }
    for (const slice of slices(group.ids)) {
      const result = await model.updateMany({ ...filter, _id: { $in: slice } }, { $set: set });
      if (result.modifiedCount === slice.length) {
        for (const id of slice) moved.set(id, { from, to });
        continue;
      }
      // Some moved meanwhile: ours are those that now carry this decision's stamp.
      const after = await model
        .find({ _id: { $in: slice }, status: to, decidedBy: actor.name, decidedAt: at })
        .select({ _id: 1 })
        .lean<{ _id: string }[]>();
      for (const c of after) moved.set(c._id, { from, to });
    }
  }

  // The next compute reads these again instead of trusting its ledger (`candidateJournal.ts`).
  await candidateJournalOf(s.models, pid).record(moved.keys());

  const entries: AuditInput[] = [];
  for (const c of candidates) {
    const move = moved.get(c._id);
    if (!move) continue;
    entries.push({
      at,
      profileId: pid,
      action: event,
      actor: actor.name,
      userId: c.userId,
      username: c.username,
      candidateId: c._id,
      rule: auditRule(c, ruleOf.get(String(c.ruleId))),
      evidence: c.evidence,
      outcome: `${move.from}->${move.to}`,
    });
  }
  await appendAudit(s.models, entries);

  const decided = candidates.filter((c) => moved.has(c._id)).map((c) => c._id);
  const skipped: DecisionResult['skipped'] = [];
  const missed = candidates.filter((c) => !moved.has(c._id)).map((c) => c._id);
  for (const slice of slices(missed)) {
    const now = await model
      .find({ _id: { $in: slice } })
      .select({ status: 1 })
      .lean<{ _id: string; status: string }[]>();
    const statusOf = new Map(now.map((c) => [c._id, c.status]));
    for (const id of slice) skipped.push({ id, status: statusOf.get(id) ?? 'deleted' });
  }
  const status = transition(candidates[0]!.status, event)!;
  return { decided, status, skipped };
}
