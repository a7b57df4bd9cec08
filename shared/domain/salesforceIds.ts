/**
 * Salesforce record ids: 15 case-sensitive base-62 characters, and in the 18-character form the API
 * returns, three more that spell the case of the 15 (one per five characters), so that the id
 * survives tools that ignore case.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Which of the five characters of `chunk` (0–2) are upper-case letters, as bits. */
function caseBits(id: string, chunk: number): number {
  let bits = 0;
  for (let i = 0; i < 5; i++) {
    const code = id.charCodeAt(chunk * 5 + i);
    if (code >= 65 && code <= 90) bits |= 1 << i;
  }
  return bits;
}

/** The three characters that make a 15-character Salesforce id case-safe (one per 5 characters). */
export function salesforceIdSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) suffix += SUFFIX_ALPHABET.charAt(caseBits(id15, chunk));
  return suffix;
}

/** Whether an 18-character id ends in the suffix its first 15 characters call for (as written, upper-case). */
export function hasOwnSuffix(id18: string): boolean {
  if (id18.length !== 18) return false;
  for (let chunk = 0; chunk < 3; chunk++)
    if (id18.charCodeAt(15 + chunk) !== SUFFIX_ALPHABET.charCodeAt(caseBits(id18, chunk))) return false;
  return true;
}
