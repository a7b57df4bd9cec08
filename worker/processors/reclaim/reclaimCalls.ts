/**
 * The Salesforce side of reclaiming one batch (≤ 200 records per write call): freeze, deactivate,
 * remove assignments, and undo's unfreeze, reactivate and re-create. Every call is described first
 * as a {@link PlannedCall}, so a dry run can record exactly what it would send and a real run sends
 * exactly that.
 */
import type {
  RecordOutcome,
  RecordUpdate,
  SalesforceOrgClient,
} from '../../../shared/salesforce/salesforceClient.js';

export type WriteSObject =
  'User' | 'UserLogin' | 'PermissionSetLicenseAssign' | 'UserPackageLicense' | 'PermissionSetAssignment';

export interface PlannedCall {
  method: 'PATCH' | 'DELETE' | 'POST';
  path: '/composite/sobjects';
  sobject: WriteSObject;
  /** The field set by a PATCH (e.g. IsActive=false); null for a delete or a create. */
  change: string | null;
  ids: string[];
}

/** Salesforce's composite limit per call. */
export const WRITE_BATCH = 200;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const patch =
  (sobject: 'User' | 'UserLogin', change: string) =>
  (ids: readonly string[]): PlannedCall[] =>
    chunk(ids, WRITE_BATCH).map((part) => ({
      method: 'PATCH',
      path: '/composite/sobjects',
      sobject,
      change,
      ids: part,
    }));

export const planDeactivation = patch('User', 'IsActive=false');
export const planReactivation = patch('User', 'IsActive=true');
export const planFreeze = patch('UserLogin', 'IsFrozen=true');
export const planUnfreeze = patch('UserLogin', 'IsFrozen=false');

/** One sObject type per call: Salesforce refuses Setup-related types mixed in one delete. */
export function planRemoval(sobject: WriteSObject, ids: readonly string[]): PlannedCall[] {
  return chunk(ids, WRITE_BATCH).map((part) => ({
    method: 'DELETE',
    path: '/composite/sobjects',
    sobject,
    change: null,
    ids: part,
  }));
}

/** A delete of something already gone means an earlier attempt (or someone else) removed it. */
const ALREADY_GONE = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);

export function isDone(outcome: RecordOutcome | undefined, deleting: boolean): boolean {
  if (!outcome) return false;
  if (outcome.success) return true;
  return deleting && outcome.errors.some((e) => ALREADY_GONE.has(e.statusCode));
}

export function refusalOf(outcome: RecordOutcome | undefined): { code: string; message: string } {
  const first = outcome?.errors[0];
  return first
    ? { code: first.statusCode, message: first.message }
    : { code: 'NO_OUTCOME', message: 'Salesforce returned no outcome for this record' };
}

const FIELDS: Record<string, RecordUpdate['fields']> = {
  'IsActive=false': { IsActive: false },
  'IsActive=true': { IsActive: true },
  'IsFrozen=true': { IsFrozen: true },
  'IsFrozen=false': { IsFrozen: false },
};

/** Outcomes keyed by the id each call named (the client keeps input order). */
export async function send(
  client: SalesforceOrgClient,
  call: PlannedCall,
): Promise<Map<string, RecordOutcome>> {
  const fields = FIELDS[call.change ?? ''] ?? {};
  const outcomes =
    call.method === 'DELETE'
      ? await client.delete(call.ids)
      : await client.update(
          call.sobject,
          call.ids.map((id) => ({ id, fields })),
        );
  return new Map(call.ids.map((id, i) => [id, outcomes[i] as RecordOutcome]));
}
