/**
 * How the api starts work: every entry point the api needs, in one place, so the api never builds
 * BullMQ jobs itself. Owned by the worker issue (#6); the signatures are the contract with the api.
 */
import type { Redis } from 'ioredis';
import type { Models } from '../db/models.js';
import type { RunTrigger } from '../db/models/jobRun.model.js';

export interface PipelineDeps {
  /** A connection BullMQ may use (maxRetriesPerRequest: null). */
  redis: Redis;
  prefix: string;
  models: Models;
}

export interface StartedRun {
  runId: string;
  /** True when a run was already in flight for the profile and this request joined it. */
  coalesced: boolean;
}

/** Enqueues the validate job for a profile; its JobRun (trigger `validate`) is written at once. */
export async function enqueueValidate(
  _deps: PipelineDeps,
  _request: { profileId: string; requestedBy: string },
): Promise<StartedRun> {
  throw new Error('PIPELINE_NOT_BUILT');
}

/** Starts a run (download → compute → reclaim, consumption beside it), or joins the one in flight. */
export async function startRun(
  _deps: PipelineDeps,
  _request: { profileId: string; trigger: RunTrigger; requestedBy: string },
): Promise<StartedRun> {
  throw new Error('PIPELINE_NOT_BUILT');
}

/** Registers (or replaces) the profile's job scheduler from its `schedule`. */
export async function scheduleProfile(_deps: PipelineDeps, _profileId: string): Promise<void> {
  throw new Error('PIPELINE_NOT_BUILT');
}

/** Removes the profile's job scheduler (unpublish / pause). */
export async function unscheduleProfile(_deps: PipelineDeps, _profileId: string): Promise<void> {
  throw new Error('PIPELINE_NOT_BUILT');
}

/** Removes the scheduler and every waiting/delayed job of the profile (forced delete). */
export async function purgeProfileJobs(_deps: PipelineDeps, _profileId: string): Promise<void> {
  throw new Error('PIPELINE_NOT_BUILT');
}
