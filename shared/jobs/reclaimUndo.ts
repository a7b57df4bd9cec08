import { z } from 'zod';
import { profileIdSchema } from './runPayload.js';

/** The BullMQ job name of an undo; it runs on the reclaim queue (QUEUE_NAMES.reclaim), outside any run. */
export const RECLAIM_UNDO_JOB_NAME = 'reclaimUndo';

/** Ids only: the scope (a run, or users) and the requester live in the ReclaimUndo document. */
export const reclaimUndoPayloadSchema = z
  .object({
    profileId: profileIdSchema,
    undoId: z.string().regex(/^[a-f0-9]{24}$/, 'must be an undo id (24 hex characters)'),
  })
  .strict();

export type ReclaimUndoPayload = z.infer<typeof reclaimUndoPayloadSchema>;

/** Deterministic (asking twice enqueues once): no ':' and never numeric. */
export function reclaimUndoJobId(payload: ReclaimUndoPayload): string {
  return `undo-${payload.undoId}`;
}
