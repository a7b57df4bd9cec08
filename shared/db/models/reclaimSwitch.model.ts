import { Schema, type InferSchemaType } from 'mongoose';

/** The one global id: a stop here halts every profile's reclaim before its next batch. */
export const GLOBAL_SWITCH_ID = 'global';

/**
 * The global reclaim switch (`POST /api/v1/reclaim/stop` / `resume`). One document, `_id` 'global';
 * absent means reclaim may run. Read before every batch of writes, like each profile's own stop.
 */
export const reclaimSwitchSchema = new Schema(
  {
    _id: { type: String, required: true },
    stopped: { type: Boolean, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
    reason: { type: String, default: null },
  },
  { collection: 'reclaim_switches' },
);

export type ReclaimSwitch = InferSchemaType<typeof reclaimSwitchSchema>;
