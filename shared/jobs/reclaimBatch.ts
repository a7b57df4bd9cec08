import { z } from 'zod';
import { WORKABLE_STATUSES } from '../domain/candidateLifecycle.js';
import { runPayloadSchema } from './runPayload.js';

/** The BullMQ job name of a reclaim child; it runs on the reclaim queue (QUEUE_NAMES.reclaim). */
export const RECLAIM_BATCH_JOB_NAME = 'reclaimBatch';

/** Candidates per child job: each child makes ≤ 5 Salesforce write calls of 200 records. */
export const RECLAIM_BATCH_SIZE = 1_000;

/** One reclaim shard's part of a slice: its candidates whose `_id` lies in [first, last]. */
export const shardPieceSchema = z
  .object({
    shard: z.number().int().min(0),
    first: z.string().min(1).max(200),
    last: z.string().min(1).max(200),
  })
  .strict();

export type ShardPiece = z.infer<typeof shardPieceSchema>;

/**
 * A slice of one run's reclaim, fanned out as a child of the run's reclaim job: the candidates of
 * the profile whose `_id` lies in [firstCandidateId, lastCandidateId]. Ids only, never records.
 */
export const reclaimBatchPayloadSchema = runPayloadSchema
  .extend({
    batch: z.number().int().min(0),
    firstCandidateId: z.string().min(1).max(200),
    lastCandidateId: z.string().min(1).max(200),
    /** The workable statuses the slice's candidates were in when the parent read them. */
    statuses: z.array(z.enum(WORKABLE_STATUSES)).max(WORKABLE_STATUSES.length).optional(),
    /**
     * The slice as reclaim shards (`reclaimShard`) and the id range within each, when every
     * candidate has one: read by shard, without a claim. Absent: the range, claimed.
     */
    // At most one per candidate of the slice (RECLAIM_FAN_OUT_SIZE is at most 100,000).
    pieces: z.array(shardPieceSchema).min(1).max(100_000).optional(),
  })
  .strict();

export type ReclaimBatchPayload = z.infer<typeof reclaimBatchPayloadSchema>;

/** Deterministic, so adding the children again after a crash adds nothing: no ':' and never numeric. */
export function reclaimBatchJobId(payload: Pick<ReclaimBatchPayload, 'runId' | 'batch'>): string {
  return `${payload.runId}-${RECLAIM_BATCH_JOB_NAME}-${payload.batch}`;
}
