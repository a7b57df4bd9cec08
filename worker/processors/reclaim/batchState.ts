/**
 * What the reclaim re-reads from MongoDB right before each batch of writes: the candidates as they
 * are now (an admin may have withdrawn one a second ago), their rules, the exclusions, the profile
 * (paused, stopped, dry run), the global switch and the alias's own user. Six small reads per batch
 * of ≤ 200 candidates, so a stop or a withdrawal takes effect before the next batch is sent.
 */
import type { Collection, ObjectId } from 'mongodb';
import type { Models } from '../../../shared/db/models.js';
import { GLOBAL_SWITCH_ID } from '../../../shared/db/models/reclaimSwitch.model.js';
import type { ReclaimAction } from '../../../shared/db/models/reclamationRule.model.js';
import { withEmptyFields, type CandidateStatus } from '../../../shared/db/models/removalCandidate.model.js';
import { narrowGroups, type Narrowing } from '../../../shared/db/candidateMoves.js';
import { compileExclusions, type CompiledExclusions } from '../../../shared/domain/exclusions.js';
import type { RuleAtWrite, WritePhase } from '../../../shared/domain/writeEligibility.js';
import { SeatwiseError } from '../../../shared/errors.js';

export interface CandidateRow {
  _id: string;
  profileId: ObjectId;
  userId: string;
  username: string;
  identifier: string;
  ruleId: ObjectId;
  ruleRevision?: number;
  action: ReclaimAction;
  status: CandidateStatus;
  approval: {
    by: string;
    ruleId: ObjectId;
    ruleRevision: number;
    action: ReclaimAction;
    deactivateNow: boolean;
  } | null;
  reclaimRunId: string | null;
  phase: WritePhase | null;
  frozenAt: Date | null;
  deactivateAfter: Date | null;
  evidence: Record<string, unknown>;
  attempts: number;
}

export interface RuleNow extends RuleAtWrite {
  identifier: string;
  freezeDays: number;
  freezeOnRefusal: boolean;
}

export interface BatchState {
  stops: { global: boolean; profile: boolean; paused: boolean };
  dryRun: boolean;
  rules: Map<string, RuleNow>;
  exclusions: CompiledExclusions;
  connectedUserIds: string[];
  candidates: CandidateRow[];
  /** The narrowing the batch's candidates were read under; every move of the batch names it too. */
  narrow: Narrowing;
}

export async function loadBatchState(
  models: Models,
  candidates: Collection<CandidateRow>,
  profileId: ObjectId,
  ids: readonly string[],
  narrow: Narrowing,
): Promise<BatchState> {
  const [profile, globalSwitch, rules, exclusions, fresh] = await Promise.all([
    models.IntegrationProfile.findById(profileId, {
      status: 1,
      reclaimStop: 1,
      dryRun: 1,
      aliasId: 1,
    }).lean(),
    models.ReclaimSwitch.findById(GLOBAL_SWITCH_ID).lean(),
    models.ReclamationRule.find({ profileId }).lean(),
    models.ExclusionRule.find({ profileId }).lean(),
    Promise.all(
      narrowGroups(ids, narrow).map((g) => candidates.find({ ...g.filter, _id: { $in: g.ids } }).toArray()),
    ).then((found) => found.flat().map(withEmptyFields)),
  ]);
  if (!profile)
    throw new SeatwiseError('PROFILE_NOT_FOUND', `profile ${String(profileId)} does not exist`, {
      profileId: String(profileId),
    });
  const alias = profile.aliasId
    ? await models.ConnectionAlias.findById(profile.aliasId, { 'tokens.userId': 1 }).lean()
    : null;
  return {
    stops: {
      global: globalSwitch?.stopped === true,
      profile: profile.reclaimStop != null,
      paused: profile.status === 'paused',
    },
    dryRun: profile.dryRun,
    rules: new Map(
      rules.map((r) => [
        String(r._id),
        {
          id: String(r._id),
          identifier: r.identifier,
          revision: r.revision ?? 1,
          action: r.action,
          enabled: r.enabled,
          thresholdDays: r.thresholdDays,
          graceDays: r.graceDays,
          deactivateNow: r.deactivateNow ?? false,
          freezeDays: r.freezeDays ?? 7,
          freezeOnRefusal: r.freezeOnRefusal ?? true,
        },
      ]),
    ),
    exclusions: compileExclusions(exclusions),
    connectedUserIds: alias?.tokens?.userId ? [alias.tokens.userId] : [],
    candidates: fresh,
    narrow,
  };
}
