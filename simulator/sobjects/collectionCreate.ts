/**
 * Creating license and permission set assignments (what an undo of reclaim re-creates), one record
 * of a `POST /composite/sobjects` at a time, with Salesforce's refusals.
 */
import type { AssignmentTable } from '../org/assignmentTable.js';
import { PACKAGE_LICENSES } from '../org/licenseCatalog.js';
import { isActiveUser } from '../org/orgGenerator.js';
import { pslUsedLicenses } from '../org/licenseCounting.js';
import { PERMISSION_SETS } from '../org/permissionSetCatalog.js';
import {
  assignmentId,
  assignmentTableRow,
  isProfileOwnedSet,
  permissionSetId,
  requiredPslOf,
  setLabel,
} from './permissionSets.js';
import { PROFILE_OWNED_SET_MESSAGE } from './recordDeletes.js';
import { checkValue } from './recordWrites.js';
import { KEY_PREFIXES, makeId, normalizeId } from '../org/salesforceIds.js';
import { recordType } from './setupObjects.js';
import type { SimOrg } from '../org/simOrg.js';
import type { FieldDef, SObjectTable } from './sobjectSchema.js';
import { firstName, lastName } from './sobjectTables.js';
import type { WriteContext, WriteOutcome } from './writeOutcome.js';
import { fail, lockRowRefusal, undoAll } from './writeOutcome.js';

interface Created {
  id: string;
  undo: () => void;
}

/** Reference fields resolved to rows of their target tables, by field name. */
type Resolved = Map<string, number>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Salesforce Help 000387847: "License limit exceeded" when assignments exceed the licenses left.
const noSeats = (): WriteOutcome => fail('LICENSE_LIMIT_EXCEEDED', 'License limit exceeded');
// Chosen (README): INACTIVE_OWNER_OR_USER is Salesforce's code for an operation naming an inactive user.
const inactive = (): WriteOutcome => fail('INACTIVE_OWNER_OR_USER', 'operation performed with inactive user');
const duplicateOf = (id: string): WriteOutcome =>
  fail('DUPLICATE_VALUE', `duplicate value found: <unknown> duplicates value on record with id: ${id}`);

function idOfRow(org: SimOrg, prefix: string, row: number): string {
  return makeId(prefix, org.data.idSpace, row + 1);
}

function appendAssignment(
  org: SimOrg,
  table: AssignmentTable,
  used: number[] | null,
  user: number,
  item: number,
): { row: number; undo: () => void } {
  const wasTouched = org.data.touched.has(user);
  const row = table.append(user, item);
  if (used) used[item] = (used[item] ?? 0) + 1;
  org.data.touched.add(user);
  // A rolled-back insert leaves its id unused, as Salesforce never hands an id out twice.
  const undo = (): void => {
    table.deleted[row] = 1;
    if (used) used[item] = (used[item] ?? 0) - 1;
    if (!wasTouched) org.data.touched.delete(user);
  };
  return { row, undo };
}

/** Why the user cannot take one more seat of permission set license `psl`, if they cannot. */
function licenseSeatRefusal(org: SimOrg, user: number, psl: number): WriteOutcome | undefined {
  const { data } = org;
  const existing = data.psl.liveRow(user, psl);
  if (existing >= 0) return duplicateOf(idOfRow(org, KEY_PREFIXES.PermissionSetLicenseAssign, existing));
  if (!isActiveUser(data, user)) return inactive();
  if (pslUsedLicenses(data, psl) >= (data.pslTotals[psl] ?? 0)) return noSeats();
  return undefined;
}

function createLicenseAssignment(ctx: WriteContext, user: number, psl: number): WriteOutcome | Created {
  const { org } = ctx;
  const refusal = licenseSeatRefusal(org, user, psl);
  if (refusal) return refusal;
  if (ctx.lockRowFault()) return lockRowRefusal(idOfRow(org, KEY_PREFIXES.User, user));
  const { row, undo } = appendAssignment(org, org.data.psl, org.data.pslUsed, user, psl);
  return { id: idOfRow(org, KEY_PREFIXES.PermissionSetLicenseAssign, row), undo };
}

function createPackageAssignment(ctx: WriteContext, user: number, pkg: number): WriteOutcome | Created {
  const { org } = ctx;
  const { data } = org;
  const existing = data.pkg.liveRow(user, pkg);
  if (existing >= 0) return duplicateOf(idOfRow(org, KEY_PREFIXES.UserPackageLicense, existing));
  // Chosen (README): a site-wide license (AllowedLicenses -1) has no per-user seats to assign.
  if (PACKAGE_LICENSES[pkg]?.siteWide) {
    return fail(
      'FIELD_INTEGRITY_EXCEPTION',
      'This package is licensed for all users of the organization; it has no licenses to assign to users.',
      ['PackageLicenseId'],
    );
  }
  if (!isActiveUser(data, user)) return inactive();
  const allowed = data.pkgAllowed[pkg] ?? 0;
  if (allowed >= 0 && (data.pkgUsed[pkg] ?? 0) >= allowed) return noSeats();
  if (ctx.lockRowFault()) return lockRowRefusal(idOfRow(org, KEY_PREFIXES.User, user));
  const { row, undo } = appendAssignment(org, data.pkg, data.pkgUsed, user, pkg);
  return { id: idOfRow(org, KEY_PREFIXES.UserPackageLicense, row), undo };
}

/**
 * Salesforce Help ("Create a Permission Set Associated with a Permission Set License"): a set whose
 * License is a permission set license auto-assigns it; a set with License --None-- that needs one
 * fails unless the user already holds it (message from Salesforce Help 000390789). Inactive users
 * may hold permission sets (Help, "Considerations for Deactivating Users").
 */
function createSetAssignment(ctx: WriteContext, user: number, set: number): WriteOutcome | Created {
  const { org } = ctx;
  const { data } = org;
  if (isProfileOwnedSet(set)) return fail('FIELD_INTEGRITY_EXCEPTION', PROFILE_OWNED_SET_MESSAGE);
  const existing = data.psa.liveRow(user, set);
  if (existing >= 0) {
    const userId = idOfRow(org, KEY_PREFIXES.User, user);
    return fail(
      'DUPLICATE_VALUE',
      `Duplicate PermissionSetAssignment. Assignee: ${userId}; Permission Set: ${permissionSetId(data, set)}`,
    );
  }
  const psl = requiredPslOf(set);
  const autoAssign = psl !== null && data.psl.liveRow(user, psl) < 0;
  if (autoAssign && PERMISSION_SETS[set]?.licensePsl !== psl) {
    return fail(
      'FIELD_INTEGRITY_EXCEPTION',
      `Can't assign permission set ${setLabel(set)} to user ${firstName(data, user)} ${lastName(data, user)}. The permission set contains an object that requires a license. Before continuing, assign the user to the related permission set license.`,
    );
  }
  const undos: (() => void)[] = [];
  if (autoAssign) {
    const license = createLicenseAssignment(ctx, user, psl);
    if ('ok' in license) return license;
    undos.push(license.undo);
  } else if (ctx.lockRowFault()) {
    return lockRowRefusal(idOfRow(org, KEY_PREFIXES.User, user));
  }
  const { row, undo } = appendAssignment(org, data.psa, null, user, set);
  undos.push(undo);
  return { id: assignmentId(data, assignmentTableRow(data, row)), undo: undoAll(undos) };
}

function referenceError(field: FieldDef, value: string, code: string): WriteOutcome {
  return fail(code, `${field.label}: id value of incorrect type: ${value}`, [field.name]);
}

/** Checks the body's fields and resolves its references, or returns the first per-record error. */
function resolveFields(
  org: SimOrg,
  table: SObjectTable,
  record: Record<string, unknown>,
): Resolved | WriteOutcome {
  const resolved: Resolved = new Map();
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    if (key.toLowerCase() === 'id')
      return fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
    const field = table.field(key);
    if (!field)
      return fail('INVALID_FIELD', `No such column '${key}' on sobject of type ${table.name}`, [key]);
    if (!field.createable) {
      return fail(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        [field.name],
      );
    }
    if (value === null) continue;
    const wrongType = checkValue(field, value);
    if (wrongType) return wrongType;
    const text = String(value);
    const id = normalizeId(text);
    const target = org.tables.get((field.referenceTo ?? '').toLowerCase());
    if (!id || !target) return referenceError(field, text, 'MALFORMED_ID');
    if (!id.startsWith(target.keyPrefix)) return referenceError(field, text, 'FIELD_INTEGRITY_EXCEPTION');
    const row = target.rowOfId(id);
    if (row < 0) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
    resolved.set(field.name, row);
  }
  const missing = table.fields.filter((f) => f.createable && !resolved.has(f.name)).map((f) => f.name);
  if (missing.length > 0)
    return fail('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  return resolved;
}

export function createRecord(ctx: WriteContext, record: unknown): WriteOutcome {
  const typeName = recordType(record);
  if (!isObject(record) || typeName === undefined)
    return fail('INVALID_TYPE', 'Must send a concrete entity type.');
  const table = ctx.org.tables.get(typeName.toLowerCase());
  if (!table) return fail('INVALID_TYPE', `sObject type '${typeName}' is not supported.`);
  if (!table.createable)
    return fail('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${table.name}`);
  const resolved = resolveFields(ctx.org, table, record);
  if (!(resolved instanceof Map)) return resolved;
  const ref = (name: string): number => resolved.get(name) ?? -1;
  const created =
    table.name === 'PermissionSetAssignment'
      ? createSetAssignment(ctx, ref('AssigneeId'), ref('PermissionSetId'))
      : table.name === 'PermissionSetLicenseAssign'
        ? createLicenseAssignment(ctx, ref('AssigneeId'), ref('PermissionSetLicenseId'))
        : createPackageAssignment(ctx, ref('UserId'), ref('PackageLicenseId'));
  return 'ok' in created ? created : { ok: true, id: created.id, undo: created.undo };
}
