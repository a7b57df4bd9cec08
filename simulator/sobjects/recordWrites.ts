/**
 * The updates reclaim makes (User.IsActive and friends, UserLogin.IsFrozen), with Salesforce's
 * refusals. Deactivation frees the user license; reactivation takes one again
 * (LICENSE_LIMIT_EXCEEDED when none is left). Setting IsActive=false on an already inactive user is
 * a successful no-op, as on Salesforce.
 */
import { blockersOf, refusalOf, RUNNING_USER_REFUSAL } from './deactivationBlockers.js';
import { GUEST_LICENSE } from '../org/licenseCatalog.js';
import type { OrgData } from '../org/orgGenerator.js';
import { licenseOfUser, USER_FLAG } from '../org/orgGenerator.js';
import { normalizeId } from '../org/salesforceIds.js';
import type { FieldDef, SObjectTable } from './sobjectSchema.js';
import type { WriteContext, WriteOutcome } from './writeOutcome.js';
import { fail, lockRowRefusal } from './writeOutcome.js';

const FLAG_FIELDS: Readonly<Record<string, number>> = {
  IsActive: USER_FLAG.active,
  UserPermissionsSupportUser: USER_FLAG.supportUser,
  UserPermissionsMarketingUser: USER_FLAG.marketingUser,
  UserPermissionsKnowledgeUser: USER_FLAG.knowledgeUser,
  UserPermissionsInteractionUser: USER_FLAG.interactionUser,
  UserPermissionsSFContentUser: USER_FLAG.sfContentUser,
  IsFrozen: USER_FLAG.frozen,
};

export interface LocatedRecord {
  table: SObjectTable;
  row: number;
  id: string;
}

export function locate(table: SObjectTable, rawId: unknown): LocatedRecord | WriteOutcome {
  if (typeof rawId !== 'string' || rawId === '')
    return fail('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
  const id = normalizeId(rawId);
  if (!id) return fail('MALFORMED_ID', `malformed id ${rawId}`, ['Id']);
  if (!id.startsWith(table.keyPrefix)) {
    return fail('MALFORMED_ID', `${table.label} ID: id value of incorrect type: ${id}`, ['Id']);
  }
  const row = table.rowOfId(id);
  if (row < 0) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
  if (!table.isLive(row)) return fail('ENTITY_IS_DELETED', 'entity is deleted', []);
  return { table, row, id };
}

export function checkValue(field: FieldDef, value: unknown): WriteOutcome | undefined {
  const ok =
    field.type === 'boolean'
      ? typeof value === 'boolean'
      : typeof value === 'string' || (value === null && field.nillable);
  if (ok) return undefined;
  return fail(
    'INVALID_TYPE_ON_FIELD_IN_RECORD',
    `${field.label}: value not of required type: ${JSON.stringify(value)}`,
    [field.name],
  );
}

/** Field names and values to write, or the first per-record error. */
function validateFields(
  table: SObjectTable,
  body: Record<string, unknown>,
): Map<string, unknown> | WriteOutcome {
  const changes = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'attributes' || key.toLowerCase() === 'id') continue;
    const field = table.field(key);
    if (!field)
      return fail('INVALID_FIELD', `No such column '${key}' on sobject of type ${table.name}`, [key]);
    if (!field.updateable) {
      return fail(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        [field.name],
      );
    }
    const wrongType = checkValue(field, value);
    if (wrongType) return wrongType;
    if (field.name === 'Email' && (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value))) {
      return fail('INVALID_EMAIL_ADDRESS', `Email: invalid email address: ${String(value)}`, ['Email']);
    }
    changes.set(field.name, value);
  }
  return changes;
}

function deactivationRefusal(ctx: WriteContext, user: number): WriteOutcome | undefined {
  const { data } = ctx.org;
  const [blocker] = blockersOf(data, user, licenseOfUser(data, user) === GUEST_LICENSE);
  const refusal = user === ctx.callerIndex ? RUNNING_USER_REFUSAL : blocker && refusalOf(blocker);
  return refusal ? fail(refusal.statusCode, refusal.message, ['IsActive']) : undefined;
}

function setActive(data: OrgData, user: number, active: boolean): void {
  const license = licenseOfUser(data, user);
  const flags = data.flags[user] ?? 0;
  if (((flags & USER_FLAG.active) !== 0) === active) return;
  data.flags[user] = active ? flags | USER_FLAG.active : flags & ~USER_FLAG.active;
  data.licenseActive[license] = (data.licenseActive[license] ?? 0) + (active ? 1 : -1);
}

function activationRefusal(
  ctx: WriteContext,
  user: number,
  changes: Map<string, unknown>,
): WriteOutcome | undefined {
  const { data } = ctx.org;
  const wanted = changes.get('IsActive');
  const isActive = ((data.flags[user] ?? 0) & USER_FLAG.active) !== 0;
  if (wanted === false && isActive) return deactivationRefusal(ctx, user);
  const license = licenseOfUser(data, user);
  if (
    wanted === true &&
    !isActive &&
    (data.licenseActive[license] ?? 0) >= (data.licenseTotals[license] ?? 0)
  ) {
    return fail('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', []);
  }
  return undefined;
}

function applyUserChanges(ctx: WriteContext, user: number, changes: Map<string, unknown>): () => void {
  const { data } = ctx.org;
  const previousFlags = data.flags[user] ?? 0;
  const previousText = data.textOverrides.get(user);
  const wasTouched = data.touched.has(user);
  const text = { ...previousText };
  for (const [name, value] of changes) {
    const bit = FLAG_FIELDS[name];
    if (name === 'IsActive') setActive(data, user, value === true);
    else if (bit !== undefined)
      data.flags[user] = value === true ? (data.flags[user] ?? 0) | bit : (data.flags[user] ?? 0) & ~bit;
    else if (
      name === 'FirstName' ||
      name === 'LastName' ||
      name === 'Email' ||
      name === 'FederationIdentifier'
    )
      text[name] = String(value ?? '');
  }
  if (Object.keys(text).length > 0) data.textOverrides.set(user, text);
  data.touched.add(user);
  return () => {
    setActive(data, user, (previousFlags & USER_FLAG.active) !== 0);
    data.flags[user] = previousFlags;
    if (previousText) data.textOverrides.set(user, previousText);
    else data.textOverrides.delete(user);
    if (!wasTouched) data.touched.delete(user);
  };
}

function applyFreeze(ctx: WriteContext, user: number, changes: Map<string, unknown>): () => void {
  const { data } = ctx.org;
  const previous = data.flags[user] ?? 0;
  const frozen = changes.get('IsFrozen');
  if (frozen !== undefined)
    data.flags[user] = frozen === true ? previous | USER_FLAG.frozen : previous & ~USER_FLAG.frozen;
  data.touched.add(user);
  return () => {
    data.flags[user] = previous;
  };
}

export function updateRecord(
  ctx: WriteContext,
  typeName: string,
  rawId: unknown,
  body: Record<string, unknown>,
): WriteOutcome {
  const table = ctx.org.tables.get(typeName.toLowerCase());
  if (!table) return fail('INVALID_TYPE', `sObject type '${typeName}' is not supported.`);
  if (!table.updateable)
    return fail('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${table.name}`);
  const located = locate(table, rawId);
  if ('ok' in located) return located;
  const changes = validateFields(table, body);
  if (!(changes instanceof Map)) return changes;
  if (table.name === 'User') {
    const refusal = activationRefusal(ctx, located.row, changes);
    if (refusal) return refusal;
  }
  if (ctx.lockRowFault()) return lockRowRefusal(located.id);
  const undo =
    table.name === 'User'
      ? applyUserChanges(ctx, located.row, changes)
      : applyFreeze(ctx, located.row, changes);
  return { ok: true, id: located.id, undo };
}
