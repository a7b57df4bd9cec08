/**
 * Salesforce ids kept packed (`packedSalesforceIds.ts`): every string read back exactly as it was
 * added, and numbered exactly as a map of strings would number it, whether it is a canonical
 * 18-character id (packed) or anything else (kept as itself).
 */
import { describe, expect, it } from 'vitest';
import { SalesforceIdColumn, SalesforceIdIndex } from '../../shared/packedSalesforceIds.js';
import { hasOwnSuffix, salesforceIdSuffix } from '../../shared/domain/salesforceIds.js';
import { seededRandom } from '../helpers/seededRandom.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomId(random: () => number): string {
  let id15 = '005';
  for (let i = 0; i < 12; i += 1) id15 += BASE62[Math.floor(random() * 62)];
  return id15 + salesforceIdSuffix(id15);
}

/** The numbers a plain map would give, for the index to match. */
function numbered(ids: readonly string[]): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const id of ids) if (!numbers.has(id)) numbers.set(id, numbers.size);
  return numbers;
}

describe('SalesforceIdIndex', () => {
  it('when 60,000 canonical ids are added in random order, then each is found as its own number and others are not found', () => {
    const random = seededRandom(7);
    const ids = Array.from({ length: 60_000 }, () => randomId(random));
    const index = new SalesforceIdIndex();
    const expected = numbered(ids);
    for (const [id] of expected) index.add(id);
    for (const [id, n] of expected) expect(index.find(id)).toBe(n);
    for (let i = 0; i < 1_000; i += 1) {
      const other = randomId(random);
      expect(index.find(other)).toBe(expected.get(other) ?? -1);
    }
  });

  it('when ids differ only in case, in their suffix, or are not Salesforce ids at all, then each string is a key of its own', () => {
    const id15 = '005Dn000001AbCd';
    const canonical = id15 + salesforceIdSuffix(id15);
    const strings = [
      canonical,
      id15, // the 15-character form: another string
      canonical.toLowerCase(), // case lost: not canonical, kept as itself
      canonical.slice(0, 15).toUpperCase() + salesforceIdSuffix(canonical.slice(0, 15).toUpperCase()),
      id15 + 'AAA', // a suffix that does not match
      '005Dn000001Ab-d' + salesforceIdSuffix('005Dn000001Ab-d'),
      '005Dn000001Abéd' + 'AAA',
      '',
      'not an id at all',
    ];
    expect(hasOwnSuffix(canonical)).toBe(true);
    expect(hasOwnSuffix(id15 + 'AAA')).toBe(false);
    const index = new SalesforceIdIndex();
    const expected = numbered(strings);
    expect(expected.size).toBe(strings.length);
    for (const s of strings) index.add(s);
    for (const [s, n] of expected) expect(index.find(s)).toBe(n);
    expect(index.find(id15.slice(0, 14) + 'e' + salesforceIdSuffix(id15.slice(0, 14) + 'e'))).toBe(-1);
  });

  it('when canonical and other ids are mixed past several table growths, then numbers follow the order added', () => {
    const random = seededRandom(3);
    const ids = Array.from({ length: 5_000 }, (_, i) =>
      i % 4 === 0 ? `user-${i}@legacy` : randomId(random),
    );
    const index = new SalesforceIdIndex();
    ids.forEach((id, i) => expect(index.add(id)).toBe(i));
    ids.forEach((id, i) => expect(index.find(id)).toBe(i));
  });
});

describe('SalesforceIdColumn', () => {
  it('when ids of every kind are added, then each reads back as the very string added', () => {
    const random = seededRandom(5);
    const id15 = 'a0Bzz00000ZZzz9';
    const strings = [
      ...Array.from({ length: 3_000 }, () => randomId(random)),
      id15 + salesforceIdSuffix(id15),
      '000000000000000AAA',
      'zzzzzzzzzzzzzzzAAA',
      'ZZZZZZZZZZZZZZZ' + salesforceIdSuffix('ZZZZZZZZZZZZZZZ'),
      id15,
      (id15 + salesforceIdSuffix(id15)).toLowerCase(),
      'ünïcode-id',
      '',
    ];
    const column = new SalesforceIdColumn();
    const numbers = strings.map((s) => column.add(s));
    expect(numbers).toEqual(strings.map((_, i) => i));
    expect(strings.map((_, i) => column.get(i))).toEqual(strings);
  });
});
