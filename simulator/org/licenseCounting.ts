/**
 * What a permission set license's UsedLicenses counts. Salesforce Help ("Permission Set License is
 * available for assignment on user deactivation", 000394412): the Salesforce CPQ, Salesforce Billing
 * and Advanced Approvals permission set licenses of a deactivated user no longer count as used, so
 * the seat can be assigned again while the assignment itself stays. Every other permission set
 * license, and every managed package license (UserPackageLicense), keeps counting until the
 * assignment is removed. The simulator names only CPQ in its catalog; the rule is by developer name.
 */
import { PERMISSION_SET_LICENSES } from './licenseCatalog.js';
import { isActiveUser, type OrgData } from './orgGenerator.js';

const RELEASED_ON_DEACTIVATION = [/^SalesforceCPQ_/i, /^SalesforceBilling/i, /^AdvancedApprovals/i];

export function releasedOnDeactivation(developerName: string): boolean {
  return RELEASED_ON_DEACTIVATION.some((pattern) => pattern.test(developerName));
}

/** UsedLicenses of permission set license `psl`: its live assignments, less released ones. */
export function pslUsedLicenses(data: OrgData, psl: number): number {
  const assigned = data.pslUsed[psl] ?? 0;
  const def = PERMISSION_SET_LICENSES[psl];
  if (!def || !releasedOnDeactivation(def.developerName)) return assigned;
  // A scan of the junction's typed columns: a few milliseconds at a million users, and only for the
  // CPQ-family rows of a PermissionSetLicense read or a seat check.
  const table = data.psl;
  let released = 0;
  for (let row = 0; row < table.count; row += 1) {
    if (table.item[row] !== psl || table.deleted[row]) continue;
    if (!isActiveUser(data, table.user[row] ?? 0)) released += 1;
  }
  return assigned - released;
}
