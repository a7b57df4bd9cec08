/**
 * Approves candidates the way the API does: through the transition table, with the approval bound to
 * each candidate's rule as it stands (revision, action). For worker tests that need approved
 * candidates without an api process.
 */
import type { Collection } from 'mongodb';
import { Types } from 'mongoose';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { applyCandidateMoves } from '../../shared/db/candidateMoves.js';
import type { Models } from '../../shared/db/models.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';

interface Row {
  _id: string;
  status: CandidateStatus;
  ruleId: Types.ObjectId;
  ruleRevision?: number;
  action: string;
  userId: string;
}

/**
 * Approves the pending candidates matching `filter`; returns them (ids and users). Like the API, it
 * leaves out candidates computed under another revision or action of their rule, or a disabled one.
 */
export async function approveCandidates(
  models: Models,
  profileId: string | Types.ObjectId,
  filter: Record<string, unknown> = {},
  by = 'test-admin',
): Promise<Row[]> {
  const candidates = candidatesOf(models, profileId).collection as unknown as Collection<Row>;
  const pending = await candidates.find({ ...filter, status: 'pending' }).toArray();
  const rules = new Map(
    (await models.ReclamationRule.find({ profileId: new Types.ObjectId(String(profileId)) }).lean()).map(
      (r) => [String(r._id), r],
    ),
  );
  const now = new Date();
  const current = pending.filter((c) => {
    const rule = rules.get(String(c.ruleId));
    return rule?.enabled && (c.ruleRevision ?? 1) === (rule.revision ?? 1) && c.action === rule.action;
  });
  await applyCandidateMoves(
    candidates,
    current.map((c) => {
      const rule = rules.get(String(c.ruleId));
      if (!rule) throw new Error(`candidate ${c._id} has no rule`);
      return {
        id: c._id,
        from: c.status,
        events: ['approve'] as const,
        set: {
          approval: {
            by,
            at: now,
            ruleId: rule._id,
            ruleRevision: rule.revision ?? 1,
            action: rule.action,
            deactivateNow: rule.deactivateNow ?? false,
          },
          decidedBy: by,
          decidedAt: now,
        },
      };
    }),
    now,
    candidateJournalOf(models, profileId),
  );
  return current;
}
