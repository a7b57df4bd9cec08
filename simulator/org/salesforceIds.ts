/**
 * Salesforce record ids: 3-character key prefix, 12 characters of instance + counter, and the
 * 3-character case-safe suffix. The counter is base62 in ASCII order, so for one object in one org
 * the ids sort in the same order as the row index (ORDER BY Id = natural order, Id ranges work).
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const COUNTER_WIDTH = 9;
const ID15 = /^[0-9A-Za-z]{15}$/;
const ID18 = /^[0-9A-Za-z]{18}$/;

export const KEY_PREFIXES = {
  User: '005',
  Profile: '00e',
  UserLicense: '100',
  PermissionSetLicense: '0PL',
  PermissionSetLicenseAssign: '2LA',
  PermissionSet: '0PS',
  PermissionSetAssignment: '0Pa',
  PackageLicense: '050',
  UserPackageLicense: '051',
  UserLogin: '060',
  LoginHistory: '0Ya',
  // Salesforce does not document this prefix; any stable one keeps ids well formed.
  TenantUsageEntitlement: '0Xe',
  Organization: '00D',
  QueryLocator: '01g',
  BulkJob: '750',
} as const;

export function encodeBase62(value: number, width: number): string {
  let out = '';
  let rest = Math.floor(value);
  while (rest > 0) {
    out = BASE62.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

function decodeBase62(text: string): number {
  let value = 0;
  for (const ch of text) value = value * 62 + BASE62.indexOf(ch);
  return value;
}

export function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const code = id15.charCodeAt(chunk * 5 + i);
      if (code >= 65 && code <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** `space` is the 3 characters that keep one org's ids apart from another's. */
export function makeId(prefix: string, space: string, counter: number): string {
  const id15 = prefix + space + encodeBase62(counter, COUNTER_WIDTH);
  return id15 + checksumSuffix(id15);
}

/** 15- or 18-character id → canonical 18-character id, or null when malformed. */
export function normalizeId(raw: string): string | null {
  if (ID15.test(raw)) return raw + checksumSuffix(raw);
  if (!ID18.test(raw)) return null;
  const id15 = raw.slice(0, 15);
  return checksumSuffix(id15) === raw.slice(15).toUpperCase() ? id15 + checksumSuffix(id15) : null;
}

export interface IdParts {
  prefix: string;
  space: string;
  counter: number;
}

export function parseId(id18: string): IdParts {
  return { prefix: id18.slice(0, 3), space: id18.slice(3, 6), counter: decodeBase62(id18.slice(6, 15)) };
}
