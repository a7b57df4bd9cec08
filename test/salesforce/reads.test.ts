import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { RunningSimulator, SimulatorOrgInfo } from '../../simulator/server.js';
import { startSimulator } from '../../simulator/server.js';
import { openTestRedis, type TestRedis } from '../helpers/services.js';
import {
  authorizedCredentials,
  clientCredentials,
  clientsFor,
  drain,
  failureOf,
  RecordingTokenStore,
} from './clientHarness.js';

const userSchema = z.object({
  Id: z.string(),
  Username: z.string(),
  IsActive: z.boolean(),
  LastLoginDate: z.string().nullable(),
  ManagerId: z.string().nullable(),
  Profile: z.object({ Name: z.string(), UserLicense: z.object({ Name: z.string() }) }).nullable(),
});
const USER_SOQL =
  'SELECT Id, Username, IsActive, LastLoginDate, ManagerId, Profile.Name, Profile.UserLicense.Name FROM User';

describe('Salesforce client reads', () => {
  let sim: RunningSimulator;
  let org: SimulatorOrgInfo;
  let redis: TestRedis;
  let clients: SalesforceClients;

  beforeAll(async () => {
    sim = await startSimulator({ orgs: [{ users: 2_300, seed: 11 }], quiet: true });
    [org] = sim.orgs as [SimulatorOrgInfo];
    redis = await openTestRedis('sfreads');
    clients = clientsFor(redis);
  });
  afterAll(async () => {
    await clients.close();
    await redis.cleanup();
    await sim.stop();
  });

  const tokenCalls = (): number =>
    sim.callLog.count({ orgId: org.orgId, area: 'oauth', pathIncludes: '/services/oauth2/token' });

  it('when a query spans 10+ pages, then every user comes back exactly once', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const { records, pages } = await drain(client.query(USER_SOQL, userSchema, { batchSize: 200 }));
    expect(pages).toBeGreaterThanOrEqual(10);
    expect(new Set(records.map((r) => r.Id)).size).toBe(records.length);
    expect(records.length).toBe(sim.admin.truth(org.orgId).users);
    expect(await client.count('SELECT COUNT() FROM User')).toBe(records.length);
    expect(client.stats()).toMatchObject({ pages, records: records.length });
  });

  it('when the same org is read through Bulk API and REST, then the same schema yields the same records', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const rest = await drain(client.query(USER_SOQL, userSchema, { batchSize: 2_000 }));
    const bulk = await drain(client.bulkQuery(USER_SOQL, userSchema, { batchSize: 500 }));
    expect(bulk.pages).toBeGreaterThan(1);
    const byId = <T extends { Id: string }>(rows: T[]): T[] =>
      [...rows].sort((a, b) => a.Id.localeCompare(b.Id));
    expect(byId(bulk.records)).toEqual(byId(rest.records));
    // The comparison must cover the awkward shapes, or it proves little.
    expect(rest.records.some((r) => r.LastLoginDate === null)).toBe(true);
    expect(rest.records.some((r) => r.IsActive === false)).toBe(true);
    expect(rest.records.some((r) => r.Profile?.UserLicense.Name)).toBe(true);
  });

  it('when a record lacks a field the schema requires, then the error names the field', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const schema = z.object({ Id: z.string(), Email: z.string() });
    for (const pages of [
      client.query('SELECT Id FROM User', schema),
      client.bulkQuery('SELECT Id FROM User', schema),
    ]) {
      const error = await failureOf(drain(pages));
      expect(error).toBeInstanceOf(SalesforceError);
      expect((error as SalesforceError).message).toContain('lacks required field Email');
    }
  });

  it('when the session expires in the middle of paging, then the client refreshes once and carries on', async () => {
    const credentials = await authorizedCredentials(sim.url, org);
    const store = new RecordingTokenStore(credentials.tokens);
    const client = clients.forOrg(credentials, store);
    const before = tokenCalls();
    const ids: string[] = [];
    let page = 0;
    for await (const result of client.query('SELECT Id FROM User', z.object({ Id: z.string() }), {
      batchSize: 500,
    })) {
      page += 1;
      ids.push(...result.records.map((r) => r.Id));
      if (page === 2) expect(sim.admin.expireAccessTokens(org.orgId)).toBeGreaterThan(0);
    }
    expect(new Set(ids).size).toBe(sim.admin.truth(org.orgId).users);
    expect(ids.length).toBe(new Set(ids).size);
    expect(tokenCalls() - before).toBe(1);
    expect(store.saved).toHaveLength(1);
    expect(client.stats().refreshes).toBe(1);
  });

  it('when 20 requests see an expired session at once, then one refresh serves them all', async () => {
    const credentials = await authorizedCredentials(sim.url, org);
    const store = new RecordingTokenStore(credentials.tokens);
    sim.admin.expireAccessTokens(org.orgId);
    const before = tokenCalls();
    const counts = await Promise.all(
      Array.from({ length: 20 }, () => clients.forOrg(credentials, store).count('SELECT COUNT() FROM User')),
    );
    expect(counts.every((c) => c === sim.admin.truth(org.orgId).users)).toBe(true);
    expect(tokenCalls() - before).toBe(1);
    expect(store.saved).toHaveLength(1);
  });

  it('when the refresh token was revoked, then the alias is marked for re-authorization', async () => {
    const credentials = await authorizedCredentials(sim.url, org);
    const store = new RecordingTokenStore(credentials.tokens);
    const client = clients.forOrg(credentials, store);
    sim.admin.revokeRefreshTokens(org.orgId);
    sim.admin.expireAccessTokens(org.orgId);
    const error = await failureOf(client.count('SELECT COUNT() FROM User'));
    expect(error).toMatchObject({ kind: 'auth', errorCode: 'invalid_grant' });
    expect((error as Error).message).toMatch(/re-authoriz/);
    expect(store.reauthorizationReasons).toHaveLength(1);
    expect(store.saved).toHaveLength(0);
  });

  it('when limits and describe are read, then the daily allowance and fields come back typed', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const limits = await client.limits();
    expect(limits.DailyApiRequests?.max).toBe(sim.admin.apiUsage(org.orgId).max);
    const describe = await client.describe('User');
    expect(describe.fields.find((f) => f.name === 'IsActive')?.updateable).toBe(true);
    const usage = await client.apiUsage();
    expect(usage?.max).toBe(sim.admin.apiUsage(org.orgId).max);
  });

  it('when several queries are read together, then each comes back whole, in order, for one call plus the pages past the first', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    await client.connect();
    const before = sim.admin.apiUsage(org.orgId).used;
    const loginSchema = z.object({ Id: z.string(), UserId: z.string(), IsFrozen: z.boolean() });
    const [users, logins] = await client.queryTogether<
      [z.infer<typeof userSchema>, z.infer<typeof loginSchema>]
    >([
      { soql: USER_SOQL, schema: userSchema },
      { soql: 'SELECT Id, UserId, IsFrozen FROM UserLogin LIMIT 5', schema: loginSchema },
    ]);
    const alone = await drain(client.query(USER_SOQL, userSchema));
    expect(users).toEqual(alone.records);
    expect(logins).toHaveLength(5);
    // 2,300 users: the composite call, then one more page of users by its nextRecordsUrl.
    expect(sim.admin.apiUsage(org.orgId).used - before - alone.pages).toBe(2);
  });

  it('when a count is read with other queries, then the count and their records come back for one call', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    await client.connect();
    const countAlone = await client.count('SELECT COUNT() FROM User');
    const loginSchema = z.object({ Id: z.string(), UserId: z.string(), IsFrozen: z.boolean() });
    const before = sim.admin.apiUsage(org.orgId).used;
    const { count, records } = await client.countWithQueries<[z.infer<typeof loginSchema>]>(
      'SELECT COUNT() FROM User',
      [{ soql: 'SELECT Id, UserId, IsFrozen FROM UserLogin LIMIT 7', schema: loginSchema }],
    );
    expect(sim.admin.apiUsage(org.orgId).used - before).toBe(1);
    expect(count).toBe(countAlone);
    expect(count).toBeGreaterThan(2_000);
    expect(records[0]).toHaveLength(7);
    // The count takes one of the five query subrequests Salesforce allows.
    await expect(
      client.countWithQueries(
        'SELECT COUNT() FROM User',
        Array.from({ length: 5 }, () => ({ soql: 'SELECT Id FROM User LIMIT 1', schema: z.unknown() })),
      ),
    ).rejects.toThrow(/at most 5/);
  });

  it('when one query of a composite read is refused, then the read fails with that query’s error code', async () => {
    const client = clients.forOrg(clientCredentials(org), new RecordingTokenStore());
    const error = await failureOf(
      client.queryTogether<[unknown, unknown]>([
        { soql: 'SELECT Id FROM User LIMIT 1', schema: z.unknown() },
        { soql: 'SELECT NoSuchField FROM User', schema: z.unknown() },
      ]),
    );
    expect(error).toBeInstanceOf(SalesforceError);
    expect(error).toMatchObject({ errorCode: 'INVALID_FIELD', kind: 'permanent', status: 400 });
    await expect(
      client.queryTogether(Array.from({ length: 6 }, () => ({ soql: 'x', schema: z.unknown() }))),
    ).rejects.toThrow(/at most 5/);
  });
});
