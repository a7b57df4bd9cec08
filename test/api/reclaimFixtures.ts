/**
 * Rules, candidates and snapshots written straight into a profile's collections (the pipeline
 * would compute them from a simulated org; the api tests only need them to exist).
 */
import { Types } from 'mongoose';
import type { ReclaimAction } from '../../shared/db/models/reclamationRule.model.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import type { UserSummary } from '../../shared/db/subscriptionSummary.js';
import type { ApiHarness } from './apiHarness.js';

/** An 18-character user id made of digits only (its case-safe suffix is then `AAA`). */
export function userId(n: number): string {
  return `005${String(n).padStart(12, '0')}AAA`;
}

const DAY_MS = 86_400_000;

/**
 * A downloaded user as the packed summary holds it: one license (`identifier`, default UL:SFDC),
 * last login `lastLoginDaysAgo` days ago (null: never), created 900 days ago; the rest overridable.
 */
export function summaryUser(
  n: number,
  lastLoginDaysAgo: number | null,
  extra: Partial<UserSummary> & { identifier?: string } = {},
): UserSummary {
  const now = Date.now();
  const { identifier = 'UL:SFDC', ...rest } = extra;
  return {
    userId: `005${String(n).padStart(15, '0')}`,
    username: `user${n}@example.com`,
    name: null,
    email: null,
    federationId: null,
    isActive: true,
    userType: 'Standard',
    profileName: null,
    apiOnly: false,
    lastLoginAt: lastLoginDaysAgo === null ? null : new Date(now - lastLoginDaysAgo * DAY_MS),
    userCreatedAt: new Date(now - 900 * DAY_MS),
    lastSeenAt: new Date(now),
    licenses: [{ identifier, assignmentId: null, firstSeenAt: new Date(now), goneAt: null }],
    ...rest,
  };
}

export function candidateIdOf(profileId: string, n: number, identifier = 'UL:SFDC'): string {
  return `${profileId}|${userId(n)}|${identifier}`;
}

export interface SeededRule {
  _id: Types.ObjectId;
  revision: number;
  action: ReclaimAction;
  deactivateNow: boolean;
}

export async function seedRule(
  api: ApiHarness,
  profileId: string,
  extra: Record<string, unknown> = {},
): Promise<SeededRule> {
  const rule = await api.models.ReclamationRule.create({
    profileId,
    identifier: `UL:${new Types.ObjectId().toHexString()}`,
    name: 'Salesforce',
    ...extra,
  });
  return rule.toObject() as unknown as SeededRule;
}

export async function seedCandidate(
  api: ApiHarness,
  profileId: string,
  n: number,
  status: CandidateStatus,
  rule: SeededRule,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const id = candidateIdOf(profileId, n);
  await candidatesOf(api.models, profileId).create({
    _id: id,
    profileId,
    userId: userId(n),
    username: `user${n}@example.com`,
    identifier: 'UL:SFDC',
    ruleId: rule._id,
    ruleRevision: rule.revision,
    action: rule.action,
    justification: 'inactive_user',
    evidence: {
      lastLoginAt: new Date('2026-01-02T03:04:05.000Z'),
      userCreatedAt: new Date('2025-01-01T00:00:00.000Z'),
      daysInactive: 300 + n,
      thresholdDays: 60,
    },
    status,
    lastComputedSyncId: 'sync-1',
    ...extra,
  });
  return id;
}

export async function statusOf(api: ApiHarness, profileId: string, id: string) {
  return candidatesOf(api.models, profileId).findById(id).lean();
}

export async function seedSnapshot(
  api: ApiHarness,
  profileId: string,
  runId: string,
  n: number,
  phase: 'freeze' | 'deactivate' | 'remove_assignment' = 'deactivate',
): Promise<void> {
  await api.models.ReclaimSnapshot.create({
    _id: `${runId}|${userId(n)}|${phase}`,
    profileId,
    runId,
    userId: userId(n),
    username: `user${n}@example.com`,
    phase,
    candidateIds: [candidateIdOf(profileId, n)],
    before: { isActive: true, isFrozen: false, userLoginId: null },
    takenAt: new Date(Date.UTC(2026, 10, 1, 0, 0, n)),
  });
}
