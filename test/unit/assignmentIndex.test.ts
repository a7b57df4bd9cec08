import { describe, expect, it } from 'vitest';
import {
  AssignmentIndex,
  type LicenseRef,
} from '../../worker/processors/downloadSubscriptions/userLicenses.js';
import { salesforceIdSuffix } from '../../shared/domain/salesforceIds.js';
import { seededRandom } from '../helpers/seededRandom.js';

const IDENTIFIERS = ['PSL:SalesConsoleUser', 'PSL:CRMAUser', 'PKG:FinServ', 'PKG:cpq', 'PKG:é-accent'];

/** As Salesforce sends ids (18 characters), but for every seventh number a string that is not one. */
function salesforceId(prefix: string, n: number): string {
  const id15 = `${prefix}${n.toString(36).padStart(12, '0')}`;
  return n % 7 === 0 ? `${id15}000` : id15 + salesforceIdSuffix(id15);
}

describe('AssignmentIndex', () => {
  it('when 40,000 assignments of 15,000 users arrive in no order, then each user takes exactly theirs once, in arrival order', () => {
    const random = seededRandom(11);
    const index = new AssignmentIndex();
    const expected = new Map<string, LicenseRef[]>();
    for (let i = 0; i < 40_000; i += 1) {
      const userId = salesforceId('005', Math.floor(random() * 15_000));
      const ref = {
        identifier: IDENTIFIERS[Math.floor(random() * IDENTIFIERS.length)] as string,
        assignmentId: salesforceId('0PL', i),
      };
      index.add(userId, ref.identifier, ref.assignmentId);
      expected.set(userId, [...(expected.get(userId) ?? []), ref]);
    }
    expect(index.leftOver).toBe(40_000);
    const users = [...expected.keys()];
    const takenFirst = users.filter((_, i) => i % 3 !== 0);
    for (const userId of takenFirst) expect(index.take(userId)).toEqual(expected.get(userId));
    // Taken once: a second take finds nothing, and users never added find nothing.
    expect(index.take(takenFirst[0] as string)).toEqual([]);
    expect(index.take(salesforceId('005', 99_999))).toEqual([]);
    const left = users.filter((_, i) => i % 3 === 0);
    expect(index.leftOver).toBe(left.reduce((n, u) => n + (expected.get(u)?.length ?? 0), 0));
    for (const userId of left) expect(index.take(userId)).toEqual(expected.get(userId));
    expect(index.leftOver).toBe(0);
  });

  it('when ids are not plain ASCII or differ only in case, then each is its own user', () => {
    const index = new AssignmentIndex();
    index.add('005AbC', 'PKG:a', '0PLx1');
    index.add('005abc', 'PKG:b', '0PLx2');
    index.add('005äbc', 'PKG:c', 'ünïcode-id');
    expect(index.take('005abc')).toEqual([{ identifier: 'PKG:b', assignmentId: '0PLx2' }]);
    expect(index.take('005äbc')).toEqual([{ identifier: 'PKG:c', assignmentId: 'ünïcode-id' }]);
    expect(index.take('005AbC')).toEqual([{ identifier: 'PKG:a', assignmentId: '0PLx1' }]);
  });
});
