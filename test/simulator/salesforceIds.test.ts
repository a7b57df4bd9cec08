import { describe, expect, it } from 'vitest';
import { checksumSuffix, KEY_PREFIXES, makeId, normalizeId } from '../../simulator/org/salesforceIds.js';

describe('Salesforce ids', () => {
  it('when a 15-character id is given, then the 18-character form carries Salesforce’s case-safe suffix', () => {
    expect(normalizeId('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(checksumSuffix('005000000000001')).toBe('AAA');
  });

  it('when an 18-character id has a wrong suffix or bad characters, then it is malformed', () => {
    expect(normalizeId('001A0000006Vm9rIAC')).toBe('001A0000006Vm9rIAC');
    expect(normalizeId('001A0000006Vm9riac')).toBe('001A0000006Vm9rIAC');
    expect(normalizeId('001A0000006Vm9rAAA')).toBeNull();
    expect(normalizeId('001A0000006Vm9')).toBeNull();
    expect(normalizeId('001A0000006Vm9r!AC')).toBeNull();
  });

  it('when ids are made for consecutive rows, then they sort in row order as plain strings', () => {
    const ids = [1, 9, 10, 35, 36, 61, 62, 3843, 3844, 999_999, 1_000_000].map((n) =>
      makeId(KEY_PREFIXES.User, 'Ab1', n),
    );
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id.length === 18 && id.startsWith('005') && normalizeId(id) === id)).toBe(true);
  });
});
