/**
 * The Salesforce side of reclaiming one chunk (≤ 200 users per write call): deactivate, freeze,
 * remove assignments. Every call is described first as a {@link PlannedCall}, so a dry run can
 * record exactly what it would send and a real run sends exactly that.
 */
import { z } from 'zod';
import type {
  RecordOutcome,
  RecordUpdate,
  SalesforceOrgClient,
} from '../../../shared/salesforce/salesforceClient.js';

export interface PlannedCall {
  method: 'PATCH' | 'DELETE';
  path: '/composite/sobjects';
  sobject: 'User' | 'UserLogin' | 'PermissionSetLicenseAssign' | 'UserPackageLicense' | 'assignment';
  /** The field set by a PATCH (e.g. IsActive=false). */
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

export const planDeactivation = (userIds: readonly string[]): PlannedCall[] =>
  chunk(userIds, WRITE_BATCH).map((ids) => ({
    method: 'PATCH',
    path: '/composite/sobjects',
    sobject: 'User',
    change: 'IsActive=false',
    ids,
  }));

export const planFreeze = (userLoginIds: readonly string[]): PlannedCall[] =>
  chunk(userLoginIds, WRITE_BATCH).map((ids) => ({
    method: 'PATCH',
    path: '/composite/sobjects',
    sobject: 'UserLogin',
    change: 'IsFrozen=true',
    ids,
  }));

export const planAssignmentRemoval = (assignmentIds: readonly string[]): PlannedCall[] =>
  chunk(assignmentIds, WRITE_BATCH).map((ids) => ({
    method: 'DELETE',
    path: '/composite/sobjects',
    sobject: 'assignment',
    change: null,
    ids,
  }));

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

const quoteIds = (ids: readonly string[]): string =>
  ids.map((id) => `'${id.replace(/[^0-9A-Za-z]/g, '')}'`).join(',');

const userActiveSchema = z.object({ Id: z.string(), IsActive: z.boolean() });
const userLoginSchema = z.object({ Id: z.string(), UserId: z.string() });

/** Which of these users are still active (checked before acting again after an interrupted attempt). */
export async function activeUsers(
  client: SalesforceOrgClient,
  userIds: readonly string[],
): Promise<Set<string>> {
  const active = new Set<string>();
  for (const ids of chunk(userIds, WRITE_BATCH)) {
    for await (const page of client.query(
      `SELECT Id, IsActive FROM User WHERE Id IN (${quoteIds(ids)})`,
      userActiveSchema,
    )) {
      for (const user of page.records) if (user.IsActive) active.add(user.Id);
    }
  }
  return active;
}

/** UserLogin ids per user: freezing is a field of UserLogin, not of User. */
export async function userLoginIds(
  client: SalesforceOrgClient,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const logins = new Map<string, string>();
  for (const ids of chunk(userIds, WRITE_BATCH)) {
    for await (const page of client.query(
      `SELECT Id, UserId FROM UserLogin WHERE UserId IN (${quoteIds(ids)})`,
      userLoginSchema,
    )) {
      for (const login of page.records) logins.set(login.UserId, login.Id);
    }
  }
  return logins;
}

/** Outcomes keyed by the id each call named (the client keeps input order). */
export async function send(
  client: SalesforceOrgClient,
  call: PlannedCall,
): Promise<Map<string, RecordOutcome>> {
  const fields: RecordUpdate['fields'] = call.sobject === 'User' ? { IsActive: false } : { IsFrozen: true };
  const outcomes =
    call.method === 'DELETE'
      ? await client.delete(call.ids)
      : await client.update(
          call.sobject,
          call.ids.map((id) => ({ id, fields })),
        );
  return new Map(call.ids.map((id, i) => [id, outcomes[i] as RecordOutcome]));
}
