/**
 * What one record write returns: success with an undo (so a composite call with allOrNone can roll
 * back), or Salesforce's per-record error.
 */
import type { RecordError } from '../salesforceErrors.js';
import type { SimOrg } from '../org/simOrg.js';

export type WriteOutcome = { ok: true; id: string; undo: () => void } | { ok: false; error: RecordError };

export interface WriteContext {
  org: SimOrg;
  callerIndex: number;
  /** Consumes one injected UNABLE_TO_LOCK_ROW, if any is pending. */
  lockRowFault: () => boolean;
  /**
   * Whether removing a permission set also removes the permission set license it needed. Salesforce
   * Help ("Remove a Permission Set License from a User"): it does, except when 50 or more permission
   * sets are unassigned at once.
   */
  releaseLicensesWithSets: boolean;
}

export const fail = (statusCode: string, message: string, fields: string[] = []): WriteOutcome => ({
  ok: false,
  error: { statusCode, message, fields },
});

export const lockRowRefusal = (id: string): WriteOutcome =>
  fail('UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${id}`);

/** Undo of several writes that succeeded together, last first. */
export function undoAll(undos: readonly (() => void)[]): () => void {
  return () => {
    for (const undo of [...undos].reverse()) undo();
  };
}
