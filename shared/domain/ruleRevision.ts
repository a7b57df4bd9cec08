/**
 * Which rule fields decide what a reclaim does. Changing any of them moves the rule's `revision`,
 * and every approval given under an older revision stops counting (the candidate is back to
 * `pending`). The name, or a reviewer merely saving the same values, leaves approvals standing.
 */
export const RULE_DECISION_FIELDS = [
  'enabled',
  'thresholdDays',
  'graceDays',
  'action',
  'requiresApproval',
  'deactivateNow',
  'freezeDays',
  'freezeOnRefusal',
] as const;

export type RuleDecisionField = (typeof RULE_DECISION_FIELDS)[number];

/** Whether applying `patch` to `rule` changes what the rule decides. */
export function changesDecision(
  rule: Readonly<Partial<Record<RuleDecisionField, unknown>>>,
  patch: Readonly<Record<string, unknown>>,
): boolean {
  return RULE_DECISION_FIELDS.some((field) => field in patch && patch[field] !== rule[field]);
}
