/**
 * The custom and packaged permission sets every generated org holds (profile-owned permission
 * sets, one per profile, come from the profile list). Indexes into PERMISSION_SET_LICENSES.
 *
 * Salesforce Help ("Create a Permission Set Associated with a Permission Set License"): when a
 * permission set's License is a permission set license, assigning the set auto-assigns the license;
 * with License --None-- the license must be assigned first, or the assignment fails. Both kinds
 * exist in real orgs (sfdx-hardis special-cases Sales_User → SalesUserPsl for the second kind), so
 * both are here: `licensePsl` is what the LicenseId field shows, `requiresPsl` what the set needs.
 */
export interface PermissionSetDef {
  name: string;
  label: string;
  namespacePrefix: string | null;
  /** PERMISSION_SET_LICENSES index shown as LicenseId; null = --None--. */
  licensePsl: number | null;
  /** The permission set license whose permissions the set contains, visible or not. */
  requiresPsl: number | null;
  /**
   * Licensed sets: chance a holder of the required license holds the set. Plain sets: chance a
   * Salesforce or Salesforce Platform user holds it.
   */
  probability: number;
}

export const PERMISSION_SETS: readonly PermissionSetDef[] = [
  {
    name: 'Sales_Console_User',
    label: 'Sales Console User',
    namespacePrefix: null,
    licensePsl: 0,
    requiresPsl: 0,
    probability: 0.8,
  },
  {
    name: 'Service_Console_Agent',
    label: 'Service Console Agent',
    namespacePrefix: null,
    licensePsl: 1,
    requiresPsl: 1,
    probability: 0.6,
  },
  {
    name: 'Console_Supervisors',
    label: 'Console Supervisors',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: 1,
    probability: 0.3,
  },
  {
    name: 'CRM_Analytics_Plus_User',
    label: 'CRM Analytics Plus User',
    namespacePrefix: null,
    licensePsl: 2,
    requiresPsl: 2,
    probability: 0.7,
  },
  {
    name: 'CRM_Analytics_Plus_Admin',
    label: 'CRM Analytics Plus Admin',
    namespacePrefix: null,
    licensePsl: 2,
    requiresPsl: 2,
    probability: 0.15,
  },
  {
    name: 'SteelBrickCPQUser',
    label: 'Salesforce CPQ User',
    namespacePrefix: 'SBQQ',
    licensePsl: 3,
    requiresPsl: 3,
    probability: 0.85,
  },
  {
    name: 'FSL_Resource_Permissions',
    label: 'FSL Resource Permissions',
    namespacePrefix: 'FSL',
    licensePsl: 4,
    requiresPsl: 4,
    probability: 0.6,
  },
  {
    name: 'FSL_Dispatcher_Permissions',
    label: 'FSL Dispatcher Permissions',
    namespacePrefix: 'FSL',
    licensePsl: 4,
    requiresPsl: 4,
    probability: 0.3,
  },
  {
    name: 'API_Enabled',
    label: 'API Enabled',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: null,
    probability: 0.05,
  },
  {
    name: 'Report_Builder',
    label: 'Report Builder',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: null,
    probability: 0.15,
  },
  {
    name: 'Knowledge_Authors',
    label: 'Knowledge Authors',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: null,
    probability: 0.08,
  },
  {
    name: 'Export_Reports',
    label: 'Export Reports',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: null,
    probability: 0.1,
  },
  {
    name: 'Campaign_Managers',
    label: 'Campaign Managers',
    namespacePrefix: null,
    licensePsl: null,
    requiresPsl: null,
    probability: 0.06,
  },
];
