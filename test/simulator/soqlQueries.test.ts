import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { QueryPage } from './simulatorTestClient.js';
import { FIXED_NOW, firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const DAY = 86_400_000;
const dateOf = (value: unknown): number => Date.parse(String(value).replace('+0000', 'Z'));

describe('SOQL subset', () => {
  let sim: RunningSimulator;
  let client: RestClient;
  const count = async (soql: string): Promise<number> => (await client.query(soql)).body.totalSize;
  const all = async (soql: string): Promise<QueryPage['records']> =>
    (await client.queryAllPages(soql)).records;

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 2500, seed: 11 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when keywords and field names use any case, then responses use the canonical field names', async () => {
    const { status, body } = await client.query(
      'select id, USERNAME, profile.userlicense.NAME from user limit 1',
    );
    expect(status).toBe(200);
    const record = body.records[0] as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['attributes', 'Id', 'Username', 'Profile']);
    expect(record.Profile).toMatchObject({
      attributes: { type: 'Profile' },
      UserLicense: { Name: expect.any(String) },
    });
  });

  it('when AND, OR and NOT combine with parentheses, then the counts add up', async () => {
    const total = await count('SELECT COUNT() FROM User');
    const active = await count('SELECT COUNT() FROM User WHERE IsActive = true');
    const inactive = await count('SELECT COUNT() FROM User WHERE NOT IsActive = true');
    expect(active + inactive).toBe(total);
    const standardOrPartner = await count(
      "SELECT COUNT() FROM User WHERE UserType = 'Standard' OR UserType = 'PowerPartner'",
    );
    const viaIn = await count("SELECT COUNT() FROM User WHERE UserType IN ('standard', 'POWERPARTNER')");
    expect(viaIn).toBe(standardOrPartner);
    const notIn = await count("SELECT COUNT() FROM User WHERE UserType NOT IN ('Standard', 'PowerPartner')");
    expect(notIn + viaIn).toBe(total);
    const nested = await count(
      "SELECT COUNT() FROM User WHERE IsActive = true AND (UserType = 'Standard' OR (UserType = 'PowerPartner' AND LastLoginDate != null))",
    );
    expect(nested).toBeGreaterThan(0);
    expect(nested).toBeLessThanOrEqual(active);
  });

  it('when LIKE uses % and _ wildcards, then matching is case-insensitive and anchored', async () => {
    const records = await all("SELECT Username FROM User WHERE Username LIKE 'ADMIN@%'");
    expect(records.map((r) => r.Username)).toEqual([client.org.adminUsername]);
    const names = await all("SELECT Name FROM User WHERE Name LIKE '_da %'");
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((r) => /^.da /i.test(String(r.Name)))).toBe(true);
  });

  it('when strings contain escaped quotes, then they match names with apostrophes', async () => {
    const records = await all("SELECT LastName FROM User WHERE LastName = 'O\\'Brien'");
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.LastName === "O'Brien")).toBe(true);
  });

  it('when filtering on null, then never-logged-in users are found and != null is the complement', async () => {
    const total = await count('SELECT COUNT() FROM User');
    const never = await count('SELECT COUNT() FROM User WHERE LastLoginDate = null');
    const some = await count('SELECT COUNT() FROM User WHERE LastLoginDate != null');
    expect(never).toBeGreaterThan(0);
    expect(never + some).toBe(total);
  });

  it('when LAST_N_DAYS, TODAY and datetime literals are used, then the dates fall in the right windows', async () => {
    const recent = await all('SELECT LastLoginDate FROM User WHERE LastLoginDate = LAST_N_DAYS:30');
    const today = Date.UTC(2026, 2, 1);
    expect(recent.every((r) => dateOf(r.LastLoginDate) >= today - 30 * DAY)).toBe(true);
    const stale = await count('SELECT COUNT() FROM User WHERE LastLoginDate < LAST_N_DAYS:30');
    const withLogin = await count('SELECT COUNT() FROM User WHERE LastLoginDate != null');
    expect(recent.length + stale).toBe(withLogin);
    const todays = await all('SELECT LastLoginDate FROM User WHERE LastLoginDate = TODAY');
    expect(todays.every((r) => dateOf(r.LastLoginDate) >= today)).toBe(true);
    const yesterdays = await all('SELECT LastLoginDate FROM User WHERE LastLoginDate = YESTERDAY');
    expect(yesterdays.length).toBeGreaterThan(0);
    expect(
      yesterdays.every((r) => dateOf(r.LastLoginDate) >= today - DAY && dateOf(r.LastLoginDate) < today),
    ).toBe(true);
    const cutoff = new Date(FIXED_NOW.getTime() - 90 * DAY).toISOString().replace('.000', '');
    const old = await all(`SELECT CreatedDate FROM User WHERE CreatedDate < ${cutoff}`);
    expect(old.length).toBeGreaterThan(0);
    expect(old.every((r) => dateOf(r.CreatedDate) < FIXED_NOW.getTime() - 90 * DAY)).toBe(true);
    const { body } = await client.query(
      'SELECT ExpirationDate FROM PermissionSetLicense WHERE ExpirationDate > 2026-01-01',
    );
    expect(body.records.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(String(r.ExpirationDate)))).toBe(true);
  });

  it('when ORDER BY lists several fields with NULLS LAST, then records come back in that order', async () => {
    const records = await all(
      'SELECT UserType, LastLoginDate FROM User ORDER BY UserType ASC, LastLoginDate DESC NULLS LAST',
    );
    for (let i = 1; i < records.length; i += 1) {
      const [a, b] = [records[i - 1], records[i]] as Record<string, unknown>[];
      const typeOrder = String(a?.UserType).toLowerCase().localeCompare(String(b?.UserType).toLowerCase());
      expect(typeOrder).toBeLessThanOrEqual(0);
      if (typeOrder === 0 && a?.LastLoginDate === null) expect(b?.LastLoginDate).toBeNull();
      if (typeOrder === 0 && a?.LastLoginDate !== null && b?.LastLoginDate !== null) {
        expect(dateOf(a?.LastLoginDate)).toBeGreaterThanOrEqual(dateOf(b?.LastLoginDate));
      }
    }
    const nullsFirst = await all('SELECT LastLoginDate FROM User ORDER BY LastLoginDate LIMIT 5');
    expect(nullsFirst.every((r) => r.LastLoginDate === null)).toBe(true);
  });

  it('when LIMIT and OFFSET are given, then they window the ordered result', async () => {
    const ten = await all('SELECT Id FROM User ORDER BY Id LIMIT 10');
    const window = await all('SELECT Id FROM User ORDER BY Id LIMIT 3 OFFSET 4');
    expect(window.map((r) => r.Id)).toEqual(ten.slice(4, 7).map((r) => r.Id));
    expect((await client.query('SELECT Id FROM User LIMIT 0')).body.totalSize).toBe(0);
  });

  it('when Id ranges split the users, then the chunks cover every user exactly once', async () => {
    const ids = (await all('SELECT Id FROM User ORDER BY Id')).map((r) => String(r.Id));
    expect([...ids].sort()).toEqual(ids);
    const pivot = ids[1000] ?? '';
    const low = await count(`SELECT COUNT() FROM User WHERE Id < '${pivot}'`);
    const high = await count(`SELECT COUNT() FROM User WHERE Id >= '${pivot.slice(0, 15)}'`);
    expect(low).toBe(1000);
    expect(low + high).toBe(ids.length);
  });

  it('when COUNT() is used, then the body has totalSize, done and no records', async () => {
    const { status, body } = await client.query('SELECT COUNT() FROM PermissionSetLicenseAssign');
    expect(status).toBe(200);
    expect(body).toEqual({ totalSize: expect.any(Number), done: true, records: [] });
  });

  it('when a lookup is empty, then the relationship comes back as null', async () => {
    const records = await all('SELECT Id, Manager.Name FROM User WHERE ManagerId = null LIMIT 3');
    expect(records.length).toBe(3);
    expect(records.every((r) => r.Manager === null)).toBe(true);
    const managed = await all('SELECT Manager.Name FROM User WHERE ManagerId != null LIMIT 3');
    expect(managed.every((r) => typeof (r.Manager as { Name?: unknown }).Name === 'string')).toBe(true);
  });

  it.each([
    ['SELECT FROM User', 'MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['SELECT Id FROM User WHERE', 'MALFORMED_QUERY', "unexpected token: '<EOF>'"],
    [
      'SELECT Id FROM User WHERE IsActive = true AND UserType = 1 OR Name = null',
      'MALFORMED_QUERY',
      "unexpected token: 'OR'",
    ],
    ["SELECT Id FROM User WHERE Name = 'unterminated", 'MALFORMED_QUERY', 'unterminated'],
    ['SELECT Id, (SELECT Id FROM UserLogins) FROM User', 'MALFORMED_QUERY', 'subqueries'],
    ['SELECT Id FROM User GROUP BY Id', 'MALFORMED_QUERY', "unexpected token: 'GROUP'"],
    ['SELECT Id, Id FROM User', 'MALFORMED_QUERY', 'duplicate field selected: Id'],
    ['SELECT Id FROM User WHERE Id = :userId', 'MALFORMED_QUERY', 'Bind variables'],
    ['SELECT Id, Foo FROM User', 'INVALID_FIELD', "No such column 'Foo' on entity 'User'"],
    ['SELECT Profile.Bogus FROM User', 'INVALID_FIELD', "No such column 'Bogus' on entity 'Profile'"],
    ['SELECT Boss.Name FROM User', 'INVALID_FIELD', "Didn't understand relationship 'Boss'"],
    ['SELECT Id FROM Foo', 'INVALID_TYPE', "sObject type 'Foo' is not supported."],
    [
      "SELECT Id FROM User WHERE IsActive = 'true'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'must be of type boolean',
    ],
    [
      'SELECT Id FROM User WHERE CreatedDate > 2026-01-01',
      'INVALID_QUERY_FILTER_OPERATOR',
      'must be of type dateTime',
    ],
    ["SELECT Id FROM User WHERE Id = 'nope'", 'INVALID_QUERY_FILTER_OPERATOR', 'invalid ID field: nope'],
    [
      "SELECT MasterLabel FROM TenantUsageEntitlement WHERE MasterLabel = 'x'",
      'INVALID_FIELD',
      'can not be filtered',
    ],
    ['SELECT Setting FROM TenantUsageEntitlement ORDER BY MasterLabel', 'INVALID_FIELD', 'can not be sorted'],
    [
      'SELECT Id FROM User LIMIT 1 OFFSET 2001',
      'NUMBER_OUTSIDE_VALID_RANGE',
      'Maximum SOQL offset allowed is 2000',
    ],
  ])('when the query is %s, then it is refused with %s', async (soql, code, text) => {
    const { status, error } = await client.queryError(soql);
    expect(status).toBe(400);
    expect(error.errorCode).toBe(code);
    expect(error.message).toContain(text);
  });

  it('when a query is rejected, then the message points at the offending row and column', async () => {
    const { error } = await client.queryError('SELECT Id, Foo FROM User');
    expect(error.message).toBe(
      "\nSELECT Id, Foo FROM User\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('when q is missing, then the answer is MALFORMED_QUERY', async () => {
    const { status, body } = await client.json<{ errorCode: string }[]>('/query');
    expect(status).toBe(400);
    expect(body[0]?.errorCode).toBe('MALFORMED_QUERY');
  });

  it('when the org lacks TenantUsageEntitlement, then querying it is INVALID_TYPE', async () => {
    const other = await startTestSimulator({ orgs: [{ users: 10, tenantUsageEntitlement: false }] });
    try {
      const otherClient = await RestClient.connect(firstOrg(other));
      const { status, error } = await otherClient.queryError('SELECT Setting FROM TenantUsageEntitlement');
      expect([status, error.errorCode]).toEqual([400, 'INVALID_TYPE']);
    } finally {
      await other.stop();
    }
    const { body } = await client.query(
      'SELECT MasterLabel, ResourceGroupKey, AmountUsed FROM TenantUsageEntitlement',
    );
    expect(body.records.every((r) => r.ResourceGroupKey === '(tenant)')).toBe(true);
    expect(body.records.some((r) => r.AmountUsed === null)).toBe(true);
  });
});
