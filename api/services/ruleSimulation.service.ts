/**
 * "What if" answers for the console, from the profile's current download alone (no Salesforce
 * call): how many seats a reclamation rule with another threshold, grace or action would flag and
 * free, and whom an exclusion not yet saved would spare. Both read the packed summary the way
 * computeCandidates does and apply the same rule evaluation, so the figures are what the next
 * compute would find if nothing changed in the org meanwhile.
 */
import { Types } from 'mongoose';
import { z } from 'zod';
import { notFound } from '../http/problem.js';
import { objectId } from '../http/schemas.js';
import { EXCLUSION_KINDS } from '../../shared/db/models/exclusionRule.model.js';
import { RECLAIM_ACTIONS } from '../../shared/db/models/reclamationRule.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { readSummary, type UserSummary } from '../../shared/db/subscriptionSummary.js';
import { OPEN_STATUSES } from '../../shared/domain/candidateLifecycle.js';
import { compileExclusions, type ExclusionRuleInput } from '../../shared/domain/exclusions.js';
import { evaluateRule, type RuleInput } from '../../shared/domain/reclamationRules.js';
import { seatFreedBy } from '../../shared/domain/seatCounting.js';
import { sparedReason } from '../../shared/domain/sparedUsers.js';
import { timesMinor } from '../../shared/domain/money.js';
import { globLimitProblem } from '../../shared/domain/usernameGlob.js';
import type { ApiServices } from './apiServices.js';
import { loadProfile } from './profiles.service.js';

export const simulationParams = z.object({ id: objectId, ruleId: objectId }).strict();

export const simulationQuery = z
  .object({
    thresholdDays: z.coerce.number().int().min(1).max(3650),
    graceDays: z.coerce.number().int().min(0).max(3650).optional(),
    action: z.enum(RECLAIM_ACTIONS).optional(),
  })
  .strict();

export const simulationSchema = z
  .object({
    identifier: z.string(),
    thresholdDays: z.number(),
    graceDays: z.number(),
    action: z.enum(RECLAIM_ACTIONS),
    /** The download the figures come from; null before the first sync (every count is 0). */
    syncId: z.string().nullable(),
    /** Seats of this license the rule would make candidates (spared users left out). */
    flaggedUsers: z.number(),
    /** Of those, seats the action gives back when carried out (a frozen user keeps every seat). */
    freedSeats: z.number(),
    /** Matching seats kept out by an exclusion rule, or held by a user seatwise never reclaims. */
    excluded: z.number(),
    spared: z.number(),
    currency: z.string().nullable(),
    pricePerSeatMonthMinor: z.number().nullable(),
    /** freedSeats × price; null without a price. */
    monthlyMinor: z.number().nullable(),
  })
  .meta({ id: 'RuleSimulation' });
export type RuleSimulation = z.infer<typeof simulationSchema>;

export const exclusionPreviewQuery = z
  .object({
    kind: z.enum(EXCLUSION_KINDS),
    value: z.string().trim().min(1).max(256),
  })
  .strict()
  .superRefine((q, ctx) => {
    const problem = q.kind === 'username_pattern' ? globLimitProblem(q.value) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem.message });
  });

const PREVIEW_SAMPLE = 20;

export const exclusionPreviewSchema = z
  .object({
    syncId: z.string().nullable(),
    /** Users of the current download the exclusion matches on at least one license. */
    matchedUsers: z.number(),
    /** Open removal candidates it would spare at the next compute. */
    sparedCandidates: z.number(),
    sample: z.array(z.object({ userId: z.string(), username: z.string(), identifiers: z.array(z.string()) })),
  })
  .meta({ id: 'ExclusionPreview' });
export type ExclusionPreview = z.infer<typeof exclusionPreviewSchema>;

async function connectedUserIds(
  s: ApiServices,
  aliasId: Types.ObjectId | null | undefined,
): Promise<string[]> {
  if (!aliasId) return [];
  const alias = await s.models.ConnectionAlias.findById(aliasId, { 'tokens.userId': 1 }).lean();
  return alias?.tokens?.userId ? [alias.tokens.userId] : [];
}

async function currentSummary(
  s: ApiServices,
  profileId: string,
): Promise<{ syncId: string | null; users: AsyncIterable<UserSummary[]>; aliasId: Types.ObjectId | null }> {
  const profile = await loadProfile(s, profileId);
  const doc = await s.models.IntegrationProfile.findById(profile._id, { activeSyncId: 1, aliasId: 1 }).lean();
  const syncId = doc?.activeSyncId ?? null;
  const empty = (async function* (): AsyncIterable<UserSummary[]> {})();
  return {
    syncId,
    users: syncId ? readSummary(snapshotOf(s.models, profileId, syncId)) : empty,
    aliasId: doc?.aliasId ?? null,
  };
}

async function enabledExclusions(s: ApiServices, profileId: string): Promise<ExclusionRuleInput[]> {
  const rows = await s.models.ExclusionRule.find(
    { profileId: new Types.ObjectId(profileId), enabled: true },
    { kind: 1, value: 1, enabled: 1 },
  ).lean();
  return rows.map((r) => ({ kind: r.kind, value: r.value, enabled: r.enabled }));
}

export async function simulateRule(
  s: ApiServices,
  profileId: string,
  ruleId: string,
  q: z.infer<typeof simulationQuery>,
): Promise<RuleSimulation> {
  const stored = await s.models.ReclamationRule.findOne({
    _id: new Types.ObjectId(ruleId),
    profileId: new Types.ObjectId(profileId),
  }).lean();
  if (!stored) throw notFound('reclamation rule', ruleId);
  const rule: RuleInput = {
    identifier: stored.identifier,
    thresholdDays: q.thresholdDays,
    graceDays: q.graceDays ?? stored.graceDays,
    action: q.action ?? stored.action,
    requiresApproval: stored.requiresApproval,
    // A disabled rule is simulated as if enabled: the question is what it would do.
    enabled: true,
  };
  const [summary, exclusionRows, entitlement, pricing] = await Promise.all([
    currentSummary(s, profileId),
    enabledExclusions(s, profileId),
    s.models.LicenseEntitlement.findOne({
      profileId: new Types.ObjectId(profileId),
      identifier: stored.identifier,
    }).lean(),
    s.models.ProfilePricing.findOne({ profileId: new Types.ObjectId(profileId) }).lean(),
  ]);
  const exclusions = compileExclusions(exclusionRows);
  const connected = await connectedUserIds(s, summary.aliasId);
  const now = new Date();
  let flagged = 0;
  let excluded = 0;
  let spared = 0;
  for await (const users of summary.users) {
    for (const u of users) {
      const license = u.licenses.find((l) => l.identifier === rule.identifier);
      if (!license) continue;
      const verdict = evaluateRule(
        rule,
        {
          identifier: license.identifier,
          userId: u.userId,
          username: u.username,
          profileName: u.profileName,
          userType: u.userType,
          isActive: u.isActive,
          goneAt: license.goneAt,
          lastLoginAt: u.lastLoginAt,
          userCreatedAt: u.userCreatedAt,
        },
        exclusions,
        now,
      );
      if (!verdict.matches) {
        if (verdict.reason === 'excluded') excluded += 1;
        continue;
      }
      if (sparedReason(u, connected)) spared += 1;
      else flagged += 1;
    }
  }
  const freedSeats = seatFreedBy(rule.identifier, rule.action) ? flagged : 0;
  const price = entitlement?.pricePerSeatMonthMinor ?? null;
  return {
    identifier: rule.identifier,
    thresholdDays: rule.thresholdDays,
    graceDays: rule.graceDays,
    action: rule.action,
    syncId: summary.syncId,
    flaggedUsers: flagged,
    freedSeats,
    excluded,
    spared,
    currency: pricing?.currency ?? null,
    pricePerSeatMonthMinor: price,
    monthlyMinor: price === null ? null : timesMinor(freedSeats, price),
  };
}

export async function previewExclusion(
  s: ApiServices,
  profileId: string,
  q: z.infer<typeof exclusionPreviewQuery>,
): Promise<ExclusionPreview> {
  const summary = await currentSummary(s, profileId);
  const exclusion = compileExclusions([{ kind: q.kind, value: q.value, enabled: true }]);
  let matchedUsers = 0;
  const sample: ExclusionPreview['sample'] = [];
  const matchedIds: string[] = [];
  for await (const users of summary.users) {
    for (const u of users) {
      const identifiers = u.licenses
        .filter((l) => l.goneAt === null)
        .filter((l) =>
          exclusion.match({
            identifier: l.identifier,
            userId: u.userId,
            username: u.username,
            profileName: u.profileName,
            userType: u.userType,
          }),
        )
        .map((l) => l.identifier);
      if (identifiers.length === 0) continue;
      matchedUsers += 1;
      matchedIds.push(u.userId);
      if (sample.length < PREVIEW_SAMPLE)
        sample.push({ userId: u.userId, username: u.username, identifiers });
    }
  }
  const sparedCandidates = await countOpenCandidatesOf(s, profileId, matchedIds, q);
  return { syncId: summary.syncId, matchedUsers, sparedCandidates, sample };
}

/** Open candidates of the matched users (by license too, when the exclusion names one). */
async function countOpenCandidatesOf(
  s: ApiServices,
  profileId: string,
  userIds: string[],
  q: z.infer<typeof exclusionPreviewQuery>,
): Promise<number> {
  if (userIds.length === 0) return 0;
  const model = candidatesOf(s.models, profileId);
  let total = 0;
  // Sliced: FerretDB is slow on large `$in` lists.
  for (let i = 0; i < userIds.length; i += 200) {
    total += await model.countDocuments({
      userId: { $in: userIds.slice(i, i + 200) },
      status: { $in: [...OPEN_STATUSES] },
      ...(q.kind === 'identifier' ? { identifier: q.value } : {}),
    });
  }
  return total;
}
