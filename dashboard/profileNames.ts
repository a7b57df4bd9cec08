/**
 * Profile display names for Bull Board's job labels. Bull Board formats a job name synchronously,
 * so the names are held here and reloaded (one small query) before a board request once they are
 * a few seconds old: a renamed or new profile shows up on the next refresh of the page.
 */
import type { Models } from '../shared/db/models.js';

export interface ProfileNames {
  nameOf(profileId: string): string | undefined;
  /** Reloads when older than the freshness window; concurrent callers share one load. */
  refreshIfStale(): Promise<void>;
}

export function profileNamesFrom(
  models: Pick<Models, 'IntegrationProfile'>,
  options: { freshForMs?: number; now?: () => number } = {},
): ProfileNames {
  const freshForMs = options.freshForMs ?? 5_000;
  const now = options.now ?? Date.now;
  let names = new Map<string, string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;

  const load = async (): Promise<void> => {
    const rows = await models.IntegrationProfile.find({}, { displayName: 1 }).lean();
    names = new Map(rows.map((r) => [String(r._id), r.displayName]));
    loadedAt = now();
  };

  return {
    nameOf: (profileId) => names.get(profileId),
    async refreshIfStale() {
      if (now() - loadedAt < freshForMs) return;
      loading ??= load().finally(() => {
        loading = null;
      });
      await loading;
    },
  };
}

/** `Acme Sales · downloadSubscriptions`; the bare job name when the job names no known profile. */
export function jobLabel(job: { name?: unknown; data?: unknown }, names: ProfileNames): string {
  const jobName = typeof job.name === 'string' ? job.name : '';
  const data = job.data;
  const profileId =
    data && typeof data === 'object' && 'profileId' in data && typeof data.profileId === 'string'
      ? data.profileId
      : null;
  const name = profileId ? names.nameOf(profileId) : undefined;
  return name ? `${name} · ${jobName}` : jobName;
}
