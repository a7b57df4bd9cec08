/**
 * Deletes of license and permission set assignments, by id alone (the type comes from the key
 * prefix, as the collection DELETE does), with Salesforce's refusals.
 */
import type { AssignmentTable } from '../org/assignmentTable.js';
import { PERMISSION_SET_LICENSES } from '../org/licenseCatalog.js';
import { assignmentsNeedingPsl, requiredPslOf, setLabel } from './permissionSets.js';
import { normalizeId } from '../org/salesforceIds.js';
import type { SimOrg } from '../org/simOrg.js';
import type { SObjectTable } from './sobjectSchema.js';
import { username } from './sobjectTables.js';
import type { WriteContext, WriteOutcome } from './writeOutcome.js';
import { fail, lockRowRefusal, undoAll } from './writeOutcome.js';

/** The org's table whose key prefix starts `id18`, if any. */
export function tableOfId(org: SimOrg, id18: string): SObjectTable | undefined {
  return [...org.tables.values()].find((t) => id18.startsWith(t.keyPrefix));
}

// Chosen (README): no public text found for either refusal; DELETE_FAILED is Salesforce's status
// for a delete blocked by records that depend on the one deleted.
export const PROFILE_OWNED_SET_MESSAGE =
  "You can't assign or unassign a permission set that's owned by a profile. Change the user's profile instead.";

function licenseInUse(org: SimOrg, user: number, psl: number): WriteOutcome | undefined {
  const needing = assignmentsNeedingPsl(org.data, user, psl);
  if (needing.length === 0) return undefined;
  const sets = needing.map((row) => setLabel(org.data.psa.item[row] ?? 0)).join(', ');
  const license = PERMISSION_SET_LICENSES[psl]?.masterLabel ?? '';
  return fail(
    'DELETE_FAILED',
    `Can't remove permission set license ${license} from user ${username(org.data, user)}: the user is assigned permission sets that require it (${sets}). Remove those permission set assignments first.`,
  );
}

/** Marks one assignment deleted; the undo brings it back. */
export function removeAssignment(
  org: SimOrg,
  table: AssignmentTable,
  used: number[] | null,
  row: number,
): () => void {
  const item = table.item[row] ?? 0;
  const user = table.user[row] ?? 0;
  const wasTouched = org.data.touched.has(user);
  table.deleted[row] = 1;
  if (used) used[item] = (used[item] ?? 0) - 1;
  org.data.touched.add(user);
  return () => {
    table.deleted[row] = 0;
    if (used) used[item] = (used[item] ?? 0) + 1;
    if (!wasTouched) org.data.touched.delete(user);
  };
}

/**
 * Salesforce Help ("Remove a Permission Set License from a User"): unassigning a permission set
 * removes the permission set license it needed unless the user still needs it through another set
 * (and except when 50 or more sets are unassigned at once: see WriteContext).
 */
function removeSetAssignment(ctx: WriteContext, row: number): () => void {
  const { data } = ctx.org;
  const undos = [removeAssignment(ctx.org, data.psa, null, row)];
  const user = data.psa.user[row] ?? 0;
  const psl = requiredPslOf(data.psa.item[row] ?? 0);
  if (ctx.releaseLicensesWithSets && psl !== null && assignmentsNeedingPsl(data, user, psl).length === 0) {
    const licenseRow = data.psl.liveRow(user, psl);
    if (licenseRow >= 0) undos.push(removeAssignment(ctx.org, data.psl, data.pslUsed, licenseRow));
  }
  return undoAll(undos);
}

export function deleteRecord(ctx: WriteContext, rawId: string): WriteOutcome {
  const { org } = ctx;
  const id = normalizeId(rawId);
  if (!id) return fail('MALFORMED_ID', `malformed id ${rawId}`);
  const table = tableOfId(org, id);
  if (!table || table.rowOfId(id) < 0)
    return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  if (!table.deletable)
    return fail('INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${table.name}`);
  const row = table.rowOfId(id);
  if (!table.isLive(row)) return fail('ENTITY_IS_DELETED', 'entity is deleted');
  const { data } = org;
  if (table.name === 'PermissionSetAssignment') {
    if (row < data.userCount) return fail('FIELD_INTEGRITY_EXCEPTION', PROFILE_OWNED_SET_MESSAGE);
    if (ctx.lockRowFault()) return lockRowRefusal(id);
    return { ok: true, id, undo: removeSetAssignment(ctx, row - data.userCount) };
  }
  if (table.name === 'PermissionSetLicenseAssign') {
    const inUse = licenseInUse(org, data.psl.user[row] ?? 0, data.psl.item[row] ?? 0);
    if (inUse) return inUse;
  }
  if (ctx.lockRowFault()) return lockRowRefusal(id);
  const undo =
    table.name === 'PermissionSetLicenseAssign'
      ? removeAssignment(org, data.psl, data.pslUsed, row)
      : removeAssignment(org, data.pkg, data.pkgUsed, row);
  return { ok: true, id, undo };
}
