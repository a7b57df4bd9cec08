import { describe, expect, it } from 'vitest';
import {
  decodeChunk,
  decodeStoredUser,
  packUser,
  userTupleSchema,
  type UserSummary,
} from '../../shared/db/subscriptionSummary.js';

const user: UserSummary = {
  userId: '005000000000001AAA',
  username: 'ann@acme.example.com',
  name: 'Ann',
  email: null,
  federationId: 'ann-sso',
  isActive: true,
  userType: 'Standard',
  profileName: null,
  apiOnly: false,
  lastLoginAt: new Date('2026-10-01T10:00:00Z'),
  userCreatedAt: new Date('2024-01-01T10:00:00Z'),
  lastSeenAt: new Date('2026-11-30T03:00:00Z'),
  licenses: [
    {
      identifier: 'UL:SFDC',
      assignmentId: null,
      firstSeenAt: new Date('2025-01-01T00:00:00Z'),
      goneAt: null,
    },
    {
      identifier: 'PSL:X',
      assignmentId: '0PL000000000001',
      firstSeenAt: new Date('2025-01-01T00:00:00Z'),
      goneAt: new Date('2026-11-01T00:00:00Z'),
    },
  ],
};
const stored = (): unknown[] => JSON.parse(packUser(user)) as unknown[];

/** Values that fit one field or another of the tuple, to put where they do not belong. */
const ODD: unknown[] = ['x', '', null, 0, 1, 2, -1, 1.5, 2 ** 60, Number.NaN, true, [], {}, ['a']];

/** Every tuple with one field (or one field of one license) replaced by each odd value. */
function variants(): unknown[][] {
  const out: unknown[][] = [];
  const base = stored();
  for (let field = 0; field < base.length; field += 1)
    for (const odd of ODD) out.push(base.map((v, i) => (i === field ? odd : v)));
  for (let field = 0; field < 4; field += 1)
    for (const odd of ODD) {
      const t = stored();
      const licenses = t[11] as unknown[][];
      licenses[1] = (licenses[1] as unknown[]).map((v, i) => (i === field ? odd : v));
      out.push(t);
    }
  out.push(base.slice(0, 12), base.slice(0, 11), [...base, null], stored().concat([1, 2]));
  return out;
}

describe('stored summary users', () => {
  it('when a user is packed and decoded, then it comes back as it was, with and without a federation id', () => {
    expect(decodeStoredUser(stored())).toEqual(user);
    expect(decodeStoredUser(stored().slice(0, 12))).toEqual({ ...user, federationId: null });
  });

  it('when any field of a stored user is broken, then the hand decoder refuses exactly what the tuple schema refuses', () => {
    const cases = variants();
    expect(cases.length).toBeGreaterThan(200);
    const verdicts = cases.map((t) => [
      userTupleSchema.safeParse(t).success,
      typeof decodeStoredUser(t) !== 'string',
    ]);
    expect(verdicts.filter(([zod, hand]) => zod !== hand).length).toBe(0);
    // Both sides of the line are exercised.
    expect(verdicts.filter(([zod]) => zod).length).toBeGreaterThan(20);
    expect(verdicts.filter(([zod]) => !zod).length).toBeGreaterThan(100);
  });

  it('when a summary document holds a broken user, then reading it fails with SUMMARY_CORRUPT naming the user', () => {
    const broken = stored();
    broken[4] = 2;
    expect(() => decodeChunk({ _id: 7, users: JSON.stringify([stored(), broken]) })).toThrow(
      expect.objectContaining({ code: 'SUMMARY_CORRUPT', context: expect.objectContaining({ chunk: 7 }) }),
    );
  });
});
