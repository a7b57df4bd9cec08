/**
 * Salesforce refuses some deactivations per record, with FIELD_INTEGRITY_EXCEPTION and a message
 * that names the blocker (Salesforce Help, "Considerations for Deactivating Users"). The admin needs
 * the blocker, not the code: classify by what the message says.
 */
export const DEACTIVATION_BLOCKERS = [
  'running_user',
  'default_lead_owner',
  'default_case_owner',
  'default_workflow_user',
  'workflow_or_alert_recipient',
  'portal_account_owner',
  'portal_administrator',
  'site_guest_user',
  'license_or_other',
] as const;
export type DeactivationBlocker = (typeof DEACTIVATION_BLOCKERS)[number];

const PATTERNS: [RegExp, DeactivationBlocker][] = [
  [/deactivate yourself|current user|running user/i, 'running_user'],
  [/default lead owner|lead settings/i, 'default_lead_owner'],
  [/default case owner|support settings/i, 'default_case_owner'],
  [/default workflow user|process automation settings/i, 'default_workflow_user'],
  [/workflow|email alert|recipient|approval process|assignment rule/i, 'workflow_or_alert_recipient'],
  [/portal administrator/i, 'portal_administrator'],
  [/portal accounts?|account owner/i, 'portal_account_owner'],
  [/guest user/i, 'site_guest_user'],
];

export function classifyDeactivationRefusal(error: { code: string; message: string }): DeactivationBlocker {
  for (const [pattern, blocker] of PATTERNS) if (pattern.test(error.message)) return blocker;
  return 'license_or_other';
}
