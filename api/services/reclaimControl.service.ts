/**
 * Stopping reclaim: per profile (`profile.reclaimStop`) and for every profile at once (the global
 * `ReclaimSwitch`). The worker reads both before each batch of writes; a stop never waits for a
 * run to end. Stopping is open to operators (it can only prevent a write); resuming is for those
 * who own the rules (a profile's) or admins (the global switch). Each request is audited.
 */
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { isDuplicateKey } from '../http/schemas.js';
import { appendAudit } from '../../shared/db/auditLog.js';
import { GLOBAL_SWITCH_ID } from '../../shared/db/models/reclaimSwitch.model.js';
import type { ApiServices } from './apiServices.js';
import { loadProfile, toProfileView, type ProfileView } from './profiles.service.js';
import { withRedisLock } from './redisLock.js';

export const stopRequestSchema = z
  .object({ reason: z.string().trim().min(1, 'must not be empty').max(500).optional() })
  .strict()
  .meta({ id: 'ReclaimStopRequest' });

export type StopRequest = z.infer<typeof stopRequestSchema>;

/**
 * Stops and resumes of one target are serialized (FerretDB would let two conditional updates both
 * match, and both record themselves as the stop).
 */
const BUSY = 'reclaim is being stopped or resumed by another request; try again';

export const reclaimSwitchSchema = z
  .object({
    id: z.literal(GLOBAL_SWITCH_ID),
    stopped: z.boolean(),
    /** Who last stopped or resumed, when, and why; null while nobody ever has. */
    by: z.string().nullable(),
    at: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .meta({ id: 'ReclaimSwitch' });

export type ReclaimSwitchView = z.infer<typeof reclaimSwitchSchema>;

interface SwitchDoc {
  stopped: boolean;
  by: string;
  at: Date;
  reason?: string | null;
}

function switchView(doc: SwitchDoc | null): ReclaimSwitchView {
  return doc
    ? {
        id: GLOBAL_SWITCH_ID,
        stopped: doc.stopped,
        by: doc.by,
        at: doc.at.toISOString(),
        reason: doc.reason ?? null,
      }
    : { id: GLOBAL_SWITCH_ID, stopped: false, by: null, at: null, reason: null };
}

export async function readSwitch(s: ApiServices): Promise<ReclaimSwitchView> {
  return switchView(await s.models.ReclaimSwitch.findById(GLOBAL_SWITCH_ID).lean<SwitchDoc>());
}

/** Sets the profile's stop unless one is set already (the first stop, and who set it, stand). */
export function stopProfileReclaim(
  s: ApiServices,
  profileId: string,
  input: StopRequest,
  actor: Actor,
): Promise<ProfileView> {
  return withRedisLock(s, `reclaim-stop:${profileId}`, BUSY, () =>
    stopProfileReclaimNow(s, profileId, input, actor),
  );
}

async function stopProfileReclaimNow(
  s: ApiServices,
  profileId: string,
  input: StopRequest,
  actor: Actor,
): Promise<ProfileView> {
  const profile = await loadProfile(s, profileId);
  const at = new Date();
  const set = await s.models.IntegrationProfile.updateOne(
    { _id: profile._id, reclaimStop: null },
    { $set: { reclaimStop: { by: actor.name, at, reason: input.reason ?? null } } },
  );
  await appendAudit(s.models, [
    {
      at,
      profileId: profile._id,
      action: 'stop',
      actor: actor.name,
      outcome: set.modifiedCount === 1 ? 'stopped' : 'already_stopped',
      reason: input.reason ?? null,
    },
  ]);
  return toProfileView(await loadProfile(s, profileId));
}

export function resumeProfileReclaim(
  s: ApiServices,
  profileId: string,
  input: StopRequest,
  actor: Actor,
): Promise<ProfileView> {
  return withRedisLock(s, `reclaim-stop:${profileId}`, BUSY, () =>
    resumeProfileReclaimNow(s, profileId, input, actor),
  );
}

async function resumeProfileReclaimNow(
  s: ApiServices,
  profileId: string,
  input: StopRequest,
  actor: Actor,
): Promise<ProfileView> {
  const profile = await loadProfile(s, profileId);
  const at = new Date();
  const cleared = await s.models.IntegrationProfile.updateOne(
    { _id: profile._id, reclaimStop: { $ne: null } },
    { $set: { reclaimStop: null } },
  );
  await appendAudit(s.models, [
    {
      at,
      profileId: profile._id,
      action: 'resume',
      actor: actor.name,
      outcome: cleared.modifiedCount === 1 ? 'resumed' : 'not_stopped',
      reason: input.reason ?? null,
    },
  ]);
  return toProfileView(await loadProfile(s, profileId));
}

/**
 * Stops every profile's reclaim. The update matches only a switch that is not stopped (or absent:
 * the upsert creates it), so a second stop leaves the first one's record standing.
 */
export function stopGlobalReclaim(
  s: ApiServices,
  input: StopRequest,
  actor: Actor,
): Promise<ReclaimSwitchView> {
  return withRedisLock(s, 'reclaim-stop:global', BUSY, () => stopGlobalReclaimNow(s, input, actor));
}

async function stopGlobalReclaimNow(
  s: ApiServices,
  input: StopRequest,
  actor: Actor,
): Promise<ReclaimSwitchView> {
  const at = new Date();
  let outcome = 'stopped';
  try {
    const set = await s.models.ReclaimSwitch.updateOne(
      { _id: GLOBAL_SWITCH_ID, stopped: { $ne: true } },
      { $set: { stopped: true, by: actor.name, at, reason: input.reason ?? null } },
      { upsert: true },
    );
    if (set.modifiedCount + set.upsertedCount !== 1) outcome = 'already_stopped';
  } catch (error) {
    // The switch exists and is stopped: the upsert tried to create it a second time.
    if (!isDuplicateKey(error)) throw error;
    outcome = 'already_stopped';
  }
  await appendAudit(s.models, [
    { at, profileId: null, action: 'stop', actor: actor.name, outcome, reason: input.reason ?? null },
  ]);
  return readSwitch(s);
}

export function resumeGlobalReclaim(
  s: ApiServices,
  input: StopRequest,
  actor: Actor,
): Promise<ReclaimSwitchView> {
  return withRedisLock(s, 'reclaim-stop:global', BUSY, () => resumeGlobalReclaimNow(s, input, actor));
}

async function resumeGlobalReclaimNow(
  s: ApiServices,
  input: StopRequest,
  actor: Actor,
): Promise<ReclaimSwitchView> {
  const at = new Date();
  const cleared = await s.models.ReclaimSwitch.updateOne(
    { _id: GLOBAL_SWITCH_ID, stopped: true },
    { $set: { stopped: false, by: actor.name, at, reason: input.reason ?? null } },
  );
  await appendAudit(s.models, [
    {
      at,
      profileId: null,
      action: 'resume',
      actor: actor.name,
      outcome: cleared.modifiedCount === 1 ? 'resumed' : 'not_stopped',
      reason: input.reason ?? null,
    },
  ]);
  return readSwitch(s);
}
