/**
 * A profile's results at a glance: subscriptions, removal candidates per license and per status,
 * models and unrecognized identifiers, all counted from compact data (the snapshot's summary
 * documents, the candidate ledger and journal) instead of list queries. On FerretDB each list
 * query with its count decodes the collection; the demo's summary made about forty of them.
 */
import { z } from 'zod';
import { CANDIDATE_STATUSES } from '../../shared/db/models/removalCandidate.model.js';
import { countCandidates } from '../../shared/db/candidateState.js';
import { snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { countSummary } from '../../shared/db/subscriptionSummary.js';
import type { ApiServices } from './apiServices.js';
import { loadProfile } from './profiles.service.js';

const count = z.number().int().min(0);

export const profileSummarySchema = z
  .object({
    /** The download the figures are of (null before the first one). */
    syncId: z.string().nullable(),
    softwareModels: count,
    unrecognizedIdentifiers: count,
    subscriptions: z.object({ users: count, rows: count }),
    candidates: z.object({
      total: count,
      byIdentifier: z.record(z.string(), count),
      byStatus: z.partialRecord(z.enum(CANDIDATE_STATUSES), count),
    }),
  })
  .meta({ id: 'ProfileSummary' });

export type ProfileSummary = z.infer<typeof profileSummarySchema>;

export async function profileSummary(s: ApiServices, profileId: string): Promise<ProfileSummary> {
  const profile = await loadProfile(s, profileId);
  const syncId = profile.activeSyncId ?? null;
  const [softwareModels, unrecognizedIdentifiers, subscriptions, candidates] = await Promise.all([
    s.models.SoftwareModel.countDocuments({ profileId: profile._id }),
    s.models.UnrecognizedIdentifier.countDocuments({ profileId: profile._id }),
    syncId ? countSummary(snapshotOf(s.models, profile._id, syncId)) : { users: 0, rows: 0 },
    countCandidates(s.models, profile._id),
  ]);
  return {
    syncId,
    softwareModels,
    unrecognizedIdentifiers,
    subscriptions,
    candidates: {
      total: candidates.total,
      byIdentifier: candidates.byIdentifier,
      byStatus: candidates.byStatus,
    },
  };
}
