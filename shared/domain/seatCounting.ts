/**
 * Which seats Salesforce counts as used, and which reclaim actions give one back.
 *
 * Salesforce CPQ, Salesforce Billing and Advanced Approvals permission set licenses stop counting
 * as used when their user is deactivated (Salesforce Help, "Permission Set License is available for
 * assignment on user deactivation", 000394412); other permission set licenses and managed package
 * licenses (UserPackageLicense) keep counting until the assignment itself is removed.
 */
import type { ReclaimAction } from '../db/models/reclamationRule.model.js';

/** Developer names of the Revenue Cloud permission set licenses released on deactivation. */
const RELEASED_ON_DEACTIVATION = [/^SalesforceCPQ_/i, /^SalesforceBilling/i, /^AdvancedApprovals/i];

/** `PSL:SalesforceCPQ_CPQStandardPerm` → true; `PKG:SBQQ` (the CPQ package itself) → false. */
export function releasedOnDeactivation(identifier: string): boolean {
  if (!identifier.startsWith('PSL:')) return false;
  const developerName = identifier.slice('PSL:'.length);
  return RELEASED_ON_DEACTIVATION.some((pattern) => pattern.test(developerName));
}

/**
 * Whether a seat of this license held by a user counts as used. User and feature licenses are only
 * counted for active users; permission set and package licenses for everyone, but the CPQ family.
 */
export function seatCounts(identifier: string, userActive: boolean): boolean {
  if (userActive) return true;
  if (identifier.startsWith('PSL:')) return !releasedOnDeactivation(identifier);
  if (identifier.startsWith('PKG:')) return true;
  return false;
}

/** Whether carrying out `action` to its end gives the seat back (a frozen user still holds every seat). */
export function seatFreedBy(identifier: string, action: ReclaimAction): boolean {
  if (action === 'freeze_user') return false;
  if (action === 'remove_assignment') return true;
  return !seatCounts(identifier, false);
}
