/**
 * Users seatwise never reclaims, whatever the rules say: the integration's own connected user
 * (and a Client Credentials run-as user), integration and API-only users, Salesforce's automated
 * process users, and accounts that cannot log in at all (site guests). Reclaiming any of them
 * breaks an integration or a site rather than freeing a seat a person uses.
 */

export const SPARE_REASONS = [
  'connected_user',
  'api_only_user',
  'integration_user',
  'automated_process_user',
  'cannot_log_in',
] as const;
export type SpareReason = (typeof SPARE_REASONS)[number];

export interface SpareFacts {
  userId: string;
  userType: string;
  profileName: string | null;
  /** Profile.PermissionsApiUserOnly where known (the re-check at the write reads it). */
  apiOnly?: boolean | null;
}

/**
 * The Salesforce Integration user license brings exactly these profiles; the second is the
 * deprecated name still found in older orgs (Salesforce Help, "Give Integration Users API Only Access").
 */
const INTEGRATION_PROFILES = new Set([
  'minimum access - api only integrations',
  'salesforce api only system integrations',
]);
const AUTOMATED_USER_TYPES = new Set(['automatedprocess', 'cloudintegrationuser']);
const CANNOT_LOG_IN_USER_TYPES = new Set(['guest']);

/** 15-character ids are the case-sensitive prefix of the 18-character form. */
function sameId(a: string, b: string): boolean {
  return a.length >= 15 && b.length >= 15 && a.slice(0, 15) === b.slice(0, 15);
}

/** Why this user is spared, or null. `connectedUserIds` are the alias's own users (tokens' user id). */
export function sparedReason(user: SpareFacts, connectedUserIds: readonly string[]): SpareReason | null {
  if (connectedUserIds.some((id) => sameId(id, user.userId))) return 'connected_user';
  if (user.apiOnly === true) return 'api_only_user';
  const profile = (user.profileName ?? '').trim().toLowerCase();
  if (INTEGRATION_PROFILES.has(profile)) return 'integration_user';
  const type = user.userType.trim().toLowerCase();
  if (AUTOMATED_USER_TYPES.has(type)) return 'automated_process_user';
  if (CANNOT_LOG_IN_USER_TYPES.has(type)) return 'cannot_log_in';
  return null;
}
