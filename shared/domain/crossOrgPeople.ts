/**
 * One person holding seats in several orgs. Accounts are the same person when they share an email
 * (compared trimmed and lower-cased) or a federation id (SAML FederationIdentifier, compared exactly:
 * identity providers treat it as case-sensitive); sharing either links them, transitively.
 * The cost is the sum of the monthly prices of the seats they hold, per currency (profiles may
 * price in different ones, which are never added together).
 */

export interface HeldSeat {
  profileId: string;
  userId: string;
  username: string;
  email: string | null;
  federationId: string | null;
  isActive: boolean;
  identifier: string;
  priceMinor: number | null;
  currency: string | null;
}

export interface PersonAccount {
  profileId: string;
  userId: string;
  username: string;
  isActive: boolean;
  identifiers: string[];
  monthlyCostMinor: number | null;
  currency: string | null;
}

export interface CrossOrgPerson {
  emails: string[];
  federationIds: string[];
  orgCount: number;
  accounts: PersonAccount[];
  /** Currency → monthly cost of every priced seat the person holds in it. */
  monthlyCostMinor: Record<string, number>;
  /** Seats held without a price (their cost is unknown, not zero). */
  unpricedSeats: number;
}

const normalEmail = (e: string | null) => (e && e.trim() ? e.trim().toLowerCase() : null);
const normalFed = (f: string | null) => (f && f.trim() ? f.trim() : null);

/** Union-find over accounts; the keys link them. */
class Links {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root) as string;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** People whose accounts span at least `minOrgs` profiles, most orgs first, then by account. */
export function crossOrgPeople(seats: Iterable<HeldSeat>, minOrgs = 2): CrossOrgPerson[] {
  const accounts = new Map<string, PersonAccount & { email: string | null; fed: string | null }>();
  const links = new Links();
  const pricedIn = new Map<string, Map<string, number>>();
  const unpriced = new Map<string, number>();
  for (const s of seats) {
    const key = `${s.profileId}|${s.userId}`;
    let a = accounts.get(key);
    if (!a) {
      a = {
        profileId: s.profileId,
        userId: s.userId,
        username: s.username,
        isActive: s.isActive,
        identifiers: [],
        monthlyCostMinor: null,
        currency: s.currency,
        email: normalEmail(s.email),
        fed: normalFed(s.federationId),
      };
      accounts.set(key, a);
      links.find(key);
      if (a.email) links.union(`email:${a.email}`, key);
      if (a.fed) links.union(`fed:${a.fed}`, key);
    }
    a.identifiers.push(s.identifier);
    if (s.priceMinor === null || s.currency === null) {
      unpriced.set(key, (unpriced.get(key) ?? 0) + 1);
    } else {
      a.monthlyCostMinor = (a.monthlyCostMinor ?? 0) + s.priceMinor;
      const byCurrency = pricedIn.get(key) ?? new Map<string, number>();
      byCurrency.set(s.currency, (byCurrency.get(s.currency) ?? 0) + s.priceMinor);
      pricedIn.set(key, byCurrency);
    }
  }
  const groups = new Map<string, string[]>();
  for (const key of accounts.keys()) {
    const root = links.find(key);
    groups.set(root, [...(groups.get(root) ?? []), key]);
  }
  const people: CrossOrgPerson[] = [];
  for (const keys of groups.values()) {
    const members = keys.map((k) => accounts.get(k)!);
    const orgCount = new Set(members.map((m) => m.profileId)).size;
    if (orgCount < minOrgs) continue;
    const cost: Record<string, number> = {};
    for (const k of keys) for (const [c, v] of pricedIn.get(k) ?? []) cost[c] = (cost[c] ?? 0) + v;
    people.push({
      emails: [...new Set(members.flatMap((m) => (m.email ? [m.email] : [])))].sort(),
      federationIds: [...new Set(members.flatMap((m) => (m.fed ? [m.fed] : [])))].sort(),
      orgCount,
      accounts: members
        .map(({ email: _e, fed: _f, ...account }) => ({
          ...account,
          identifiers: account.identifiers.sort(),
        }))
        .sort((x, y) => x.profileId.localeCompare(y.profileId) || x.userId.localeCompare(y.userId)),
      monthlyCostMinor: cost,
      unpricedSeats: keys.reduce((n, k) => n + (unpriced.get(k) ?? 0), 0),
    });
  }
  const firstKey = (p: CrossOrgPerson) => p.emails[0] ?? p.federationIds[0] ?? '';
  return people.sort((a, b) => b.orgCount - a.orgCount || firstKey(a).localeCompare(firstKey(b)));
}
