/**
 * REST API Developer Guide, sObject Collections create and delete: "You can't create [delete]
 * records for multiple object types in one call when one of the types is related to a feature in
 * the Salesforce Setup area." A well-formed call still answers 200 with per-record results ("If the
 * request is well formed, the API returns a 200 OK ... Error information is returned in the errors
 * array"), so the refusal is per record. The code and message are Salesforce's mixed-DML error for
 * Setup objects (Apex Developer Guide, "sObjects That Cannot Be Used Together in DML Operations");
 * which code the collection resource reports is not documented (README, Choices).
 */
import type { RecordError } from '../salesforceErrors.js';

const SETUP_OBJECTS: ReadonlySet<string> = new Set([
  'User',
  'UserLogin',
  'Profile',
  'UserLicense',
  'PermissionSet',
  'PermissionSetAssignment',
  'PermissionSetLicense',
  'PermissionSetLicenseAssign',
  'PackageLicense',
  'UserPackageLicense',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The sObject type a collection record names (`attributes.type`), or undefined. */
export function recordType(record: unknown): string | undefined {
  const attributes = isObject(record) ? record.attributes : undefined;
  const type = isObject(attributes) ? attributes.type : undefined;
  return typeof type === 'string' ? type : undefined;
}

/** The error every record of the call gets, or null when the call may go ahead. */
export function mixedSetupRefusal(types: readonly string[]): RecordError | null {
  const distinct = [...new Set(types)];
  const [first, second] = distinct;
  if (first === undefined || second === undefined || !distinct.some((t) => SETUP_OBJECTS.has(t))) return null;
  return {
    statusCode: 'MIXED_DML_OPERATION',
    message: `DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): ${second}, original object: ${first}`,
    fields: [],
  };
}
