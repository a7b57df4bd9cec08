/**
 * Which of a profile's cached api reads a job makes stale (shared/pipeline/readGenerations.ts). A
 * job moves only the topics it writes, so a download does not evict the candidates pages the
 * dashboards are reading; a job not listed here, or one that failed (its run may have ended),
 * moves everything about its profile.
 */
import { RECLAIM_BATCH_JOB_NAME } from '../shared/jobs/reclaimBatch.js';
import { RECLAIM_UNDO_JOB_NAME } from '../shared/jobs/reclaimUndo.js';
import type { ReadTopic } from '../shared/pipeline/readGenerations.js';

/** Starting moves the job's own history row (queued → running). */
export const TOPICS_AT_START: readonly ReadTopic[] = ['runs'];

/**
 * Jobs whose success leaves the profile document as it was. Missing on purpose: validate (its
 * result is on the profile), scheduledRun (it starts a run) and reclaim (its end ends the run).
 */
const TOPICS_AT_SUCCESS: Readonly<Record<string, readonly ReadTopic[]>> = {
  // It points the profile at the new download.
  downloadSubscriptions: ['profile', 'runs', 'downloads', 'savings'],
  downloadConsumption: ['runs', 'consumption'],
  computeCandidates: ['runs', 'candidates', 'downloads', 'savings'],
  [RECLAIM_BATCH_JOB_NAME]: ['runs', 'candidates', 'audit', 'savings'],
  [RECLAIM_UNDO_JOB_NAME]: ['runs', 'candidates', 'audit', 'savings'],
};

/** `everything`: the profile and all its reads. */
export function topicsAtEnd(
  jobName: string,
  outcome: 'succeeded' | 'failed' | 'waiting',
): readonly ReadTopic[] | 'everything' {
  // Waiting (delayed, or on its children) changes only the job's own row.
  if (outcome === 'waiting') return ['runs'];
  if (outcome === 'failed') return 'everything';
  return TOPICS_AT_SUCCESS[jobName] ?? 'everything';
}
