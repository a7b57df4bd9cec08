/**
 * Why Salesforce refuses `IsActive = false` for a user, with the status code and message each
 * refusal carries. Freezing (UserLogin.IsFrozen) is never refused for these: Salesforce suggests
 * freezing precisely while such blockers are being cleared (Help, "Considerations for Deactivating
 * Users" / "Freeze or Unfreeze User Accounts").
 *
 * Messages quoted from Salesforce Help where an article gives them; the others are marked
 * "chosen" and listed in the README. The API reports them all as FIELD_INTEGRITY_EXCEPTION (the
 * contract's observed code; Help articles only show the UI text).
 */
import type { OrgData } from '../org/orgGenerator.js';
import { hash32 } from '../org/seededRandom.js';

export type GeneratedBlocker =
  'workflowEmailAlertRecipient' | 'portalAccountOwner' | 'customerPortalAdministrator';

export type DeactivationBlocker =
  'defaultLeadOwner' | 'defaultCaseOwner' | 'defaultWorkflowUser' | 'siteGuestUser' | GeneratedBlocker;

export interface Refusal {
  statusCode: string;
  message: string;
}

const integrity = (message: string): Refusal => ({ statusCode: 'FIELD_INTEGRITY_EXCEPTION', message });

const REFUSALS: Readonly<Record<DeactivationBlocker, Refusal>> = {
  defaultLeadOwner: integrity(
    'This user is the default lead owner. Choose a different default lead owner in Lead Settings before you deactivate this user.',
  ),
  defaultCaseOwner: integrity(
    'This user is the default case owner. Choose a different default case owner in Support Settings before you deactivate this user.',
  ),
  defaultWorkflowUser: integrity(
    'This user is the default workflow user. Choose a different default workflow user in Process Automation Settings before you deactivate this user.',
  ),
  siteGuestUser: integrity("You can't deactivate a site guest user."),
  // Chosen: Help lists "sole recipient of a workflow email alert" as a blocker without the text.
  workflowEmailAlertRecipient: integrity(
    'You cannot deactivate this user. This user is the only recipient of one or more workflow email alerts. Add another recipient to those email alerts before you deactivate this user.',
  ),
  // Chosen: the contract names portal account owners; no public text for this refusal was found.
  portalAccountOwner: integrity(
    'You cannot deactivate this user. This user owns one or more portal accounts. Transfer those accounts to another user before you deactivate this user.',
  ),
  // Salesforce Help 000386638 quotes this message.
  customerPortalAdministrator: integrity('You cannot deactivate a user who is a portal administrator'),
};

export const RUNNING_USER_REFUSAL = integrity(
  'You cannot deactivate yourself. Ask another administrator to deactivate your user.',
);

const OWNER_BLOCKERS = {
  lead: 'defaultLeadOwner',
  case: 'defaultCaseOwner',
  workflow: 'defaultWorkflowUser',
} as const;

export function refusalOf(blocker: DeactivationBlocker): Refusal {
  return REFUSALS[blocker];
}

/** Every reason the user cannot be deactivated (the caller's own user aside), first one reported. */
export function blockersOf(data: OrgData, user: number, isGuest: boolean): DeactivationBlocker[] {
  const blockers: DeactivationBlocker[] = [];
  const role = data.defaultOwners.get(user);
  if (role) blockers.push(OWNER_BLOCKERS[role]);
  if (isGuest) blockers.push('siteGuestUser');
  const generated = data.deactivationBlockers.get(user);
  if (generated) blockers.push(generated);
  return blockers;
}

const GENERATED: readonly GeneratedBlocker[] = [
  'workflowEmailAlertRecipient',
  'portalAccountOwner',
  'customerPortalAdministrator',
];
/** One user of each kind per this many users, and at least one of each in any org that has room. */
const USERS_PER_BLOCKED = 2500;

/** Picks a few eligible users (seeded) for each blocker kind; a user gets at most one. */
export function chooseBlockedUsers(
  seed: number,
  users: number,
  eligible: (user: number) => boolean,
): Map<number, GeneratedBlocker> {
  const chosen = new Map<number, GeneratedBlocker>();
  const perKind = Math.max(1, Math.floor(users / USERS_PER_BLOCKED));
  GENERATED.forEach((kind, k) => {
    let picked = 0;
    for (let attempt = 0; picked < perKind && attempt < perKind * 200; attempt += 1) {
      const user = hash32(seed, attempt, 950 + k) % users;
      if (chosen.has(user) || !eligible(user)) continue;
      chosen.set(user, kind);
      picked += 1;
    }
  });
  return chosen;
}
