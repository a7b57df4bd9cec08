/** Validate, publish, pause/unpublish and re-sync: the pipeline does the work, we guard the order. */
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem } from '../http/problem.js';
import { conflict } from '../http/schemas.js';
import type { ApiServices } from './apiServices.js';
import { loadAlias } from './aliases.service.js';
import { loadProfile, profileSchema, toProfileView, type ProfileView } from './profiles.service.js';

export const startedRunSchema = z
  .object({ runId: z.string(), coalesced: z.boolean() })
  .meta({ id: 'StartedRun' });

/** The first run's id at the top (like validate and sync), and the profile as it now is. */
export const publishResultSchema = z
  .object({ runId: z.string(), coalesced: z.boolean(), profile: profileSchema })
  .meta({ id: 'PublishResult' });

async function requireConnectableAlias(s: ApiServices, profile: Awaited<ReturnType<typeof loadProfile>>) {
  const missing: { field: string; message: string }[] = [];
  if (!profile.aliasId) {
    missing.push({ field: 'profile.aliasId', message: 'the profile has no connection & credential alias' });
    throw new ApiProblem(422, 'PREREQUISITE_MISSING', 'the profile has no alias', { errors: missing });
  }
  const alias = await loadAlias(s, String(profile.aliasId));
  if (!alias.clientSecret) missing.push({ field: 'alias.clientSecret', message: 'is not set' });
  if (!alias.tokens)
    missing.push({ field: 'alias.tokens', message: 'the alias is not authorized (run OAuth)' });
  if (missing.length > 0) {
    throw new ApiProblem(
      422,
      'PREREQUISITE_MISSING',
      `cannot validate: ${missing.map((m) => m.field).join(', ')}`,
      {
        errors: missing,
      },
    );
  }
  return alias;
}

export async function validateProfile(s: ApiServices, id: string, actor: Actor) {
  const profile = await loadProfile(s, id);
  await requireConnectableAlias(s, profile);
  return s.pipeline.enqueueValidate(s.pipelineDeps, { profileId: id, requestedBy: actor.name });
}

export async function publishProfile(s: ApiServices, id: string, actor: Actor) {
  const profile = await loadProfile(s, id);
  if (profile.status === 'published') throw conflict('ALREADY_PUBLISHED', 'the profile is already published');
  const alias = await requireConnectableAlias(s, profile);
  const v = profile.lastValidation;
  const changedAt = Math.max(profile.configChangedAt.getTime(), alias.configChangedAt.getTime());
  if (!v || !v.ok || v.at.getTime() <= changedAt) {
    throw conflict(
      'VALIDATION_REQUIRED',
      !v
        ? 'validate the profile before publishing'
        : !v.ok
          ? 'the last validation failed; fix it and validate again'
          : 'the profile or its alias changed after the last validation; validate again',
      { lastValidation: v ? { ok: v.ok, at: v.at.toISOString() } : null },
    );
  }
  // Conditional on the status we checked, so two publishes cannot both go through.
  const previousStatus = profile.status;
  const flipped = await s.models.IntegrationProfile.updateOne(
    { _id: profile._id, status: previousStatus },
    { $set: { status: 'published', updatedBy: actor.name } },
  );
  if (flipped.matchedCount !== 1)
    throw conflict('CONCURRENT_CHANGE', 'the profile changed meanwhile; try again');
  try {
    await s.pipeline.scheduleProfile(s.pipelineDeps, id);
    const run = await s.pipeline.startRun(s.pipelineDeps, {
      profileId: id,
      trigger: 'publish',
      requestedBy: actor.name,
    });
    return { ...run, profile: toProfileView(await loadProfile(s, id)) };
  } catch (error) {
    // Compensate so a failed publish leaves the profile as it was.
    await s.pipeline.unscheduleProfile(s.pipelineDeps, id).catch(() => undefined);
    await s.models.IntegrationProfile.updateOne(
      { _id: profile._id, status: 'published' },
      { $set: { status: previousStatus } },
    );
    throw error;
  }
}

/** `paused` keeps the profile's configuration as published; `draft` reopens it for deletion. */
export async function stopProfile(
  s: ApiServices,
  id: string,
  target: 'paused' | 'draft',
  actor: Actor,
): Promise<ProfileView> {
  const profile = await loadProfile(s, id);
  if (profile.status === target) return toProfileView(profile);
  if (target === 'paused' && profile.status !== 'published') {
    throw conflict('NOT_PUBLISHED', 'only a published profile can be paused');
  }
  await s.pipeline.unscheduleProfile(s.pipelineDeps, id);
  await s.models.IntegrationProfile.updateOne(
    { _id: profile._id },
    { $set: { status: target, updatedBy: actor.name } },
  );
  return toProfileView(await loadProfile(s, id));
}

export async function syncProfile(s: ApiServices, id: string, actor: Actor) {
  const profile = await loadProfile(s, id);
  if (profile.status !== 'published') {
    throw conflict('NOT_PUBLISHED', `a ${profile.status} profile does not sync; publish it first`);
  }
  return s.pipeline.startRun(s.pipelineDeps, { profileId: id, trigger: 'manual', requestedBy: actor.name });
}
