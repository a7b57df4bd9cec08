import { describe, expect, it } from 'vitest';
import { crossOrgPeople, type HeldSeat } from '../../../shared/domain/crossOrgPeople.js';

const seat = (over: Partial<HeldSeat>): HeldSeat => ({
  profileId: 'p1',
  userId: 'u1',
  username: 'u1@x',
  email: null,
  federationId: null,
  isActive: true,
  identifier: 'UL:SFDC',
  priceMinor: 15_000,
  currency: 'EUR',
  ...over,
});

describe('one person across orgs', () => {
  it('when two orgs have accounts with the same email in different case, then they are one person with the cost of both seats', () => {
    const people = crossOrgPeople([
      seat({ email: 'Ann@Acme.com', identifier: 'UL:SFDC' }),
      seat({ email: 'Ann@Acme.com', identifier: 'PSL:X', priceMinor: 2_500 }),
      seat({ profileId: 'p2', userId: 'u9', email: ' ann@acme.com', priceMinor: 10_000 }),
    ]);
    expect(people).toHaveLength(1);
    expect(people[0]).toMatchObject({
      emails: ['ann@acme.com'],
      orgCount: 2,
      monthlyCostMinor: { EUR: 27_500 },
      unpricedSeats: 0,
    });
    expect(people[0]?.accounts.map((a) => [a.profileId, a.monthlyCostMinor])).toEqual([
      ['p1', 17_500],
      ['p2', 10_000],
    ]);
  });

  it('when accounts share only a federation id, or link through one account that has both, then they are one person', () => {
    const people = crossOrgPeople([
      seat({ profileId: 'p1', userId: 'a', email: 'a@one.com', federationId: 'E123' }),
      seat({ profileId: 'p2', userId: 'b', email: 'a@two.com', federationId: null }),
      seat({ profileId: 'p3', userId: 'c', email: 'a@two.com', federationId: 'E123' }),
    ]);
    expect(people).toHaveLength(1);
    expect(people[0]?.orgCount).toBe(3);
    expect(people[0]?.federationIds).toEqual(['E123']);
  });

  it('when a person holds seats in only one org, or accounts share nothing, then nobody is listed', () => {
    expect(
      crossOrgPeople([
        seat({ userId: 'a', email: 'x@a.com' }),
        seat({ userId: 'b', email: 'x@a.com' }),
        seat({ profileId: 'p2', userId: 'c', email: 'y@a.com' }),
        seat({ profileId: 'p2', userId: 'd', email: null }),
      ]),
    ).toEqual([]);
  });

  it('when the orgs price in different currencies or not at all, then costs are kept per currency and unpriced seats counted', () => {
    const [person] = crossOrgPeople([
      seat({ email: 'b@x.com' }),
      seat({ profileId: 'p2', userId: 'u2', email: 'b@x.com', currency: 'USD', priceMinor: 9_900 }),
      seat({ profileId: 'p3', userId: 'u3', email: 'b@x.com', currency: null, priceMinor: null }),
    ]);
    expect(person?.monthlyCostMinor).toEqual({ EUR: 15_000, USD: 9_900 });
    expect(person?.unpricedSeats).toBe(1);
  });
});
