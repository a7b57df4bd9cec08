import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { QueryPage, SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const USERS = 4500;

describe('REST query paging', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: USERS, seed: 5 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when a query spans several 2000-record pages, then following nextRecordsUrl returns every record exactly once', async () => {
    const { pages, records } = await client.queryAllPages('SELECT Id, Username FROM User');
    expect(pages.map((p) => p.records.length)).toEqual([2000, 2000, 500]);
    expect(pages.map((p) => p.done)).toEqual([false, false, true]);
    expect(pages.every((p) => p.totalSize === USERS)).toBe(true);
    expect(pages[0]?.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[0-9A-Za-z]{15}-2000$/);
    expect(pages[2]).not.toHaveProperty('nextRecordsUrl');
    expect(new Set(records.map((r) => r.Id)).size).toBe(USERS);
  });

  it('when every record comes back, then each carries attributes with a relative sobject url', async () => {
    const { body } = await client.query('SELECT Id, LastLoginDate, CreatedDate FROM User LIMIT 5');
    for (const record of body.records) {
      expect(record.attributes).toEqual({
        type: 'User',
        url: `/services/data/v62.0/sobjects/User/${String(record.Id)}`,
      });
      expect(record.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    }
  });

  it('when Sforce-Query-Options asks for a batch size, then pages honour it within 200–2000', async () => {
    const small = await client.queryAllPages('SELECT Id FROM User', {
      'Sforce-Query-Options': 'batchSize=500',
    });
    expect(small.pages[0]?.records.length).toBe(500);
    expect(small.records.length).toBe(USERS);
    const tiny = await client.query('SELECT Id FROM User', { 'Sforce-Query-Options': 'batchSize=10' });
    expect(tiny.body.records.length).toBe(200);
    const huge = await client.query('SELECT Id FROM User', { 'Sforce-Query-Options': 'batchSize=9000' });
    expect(huge.body.records.length).toBe(2000);
  });

  it('when queryAll is used, then it pages like query', async () => {
    const { status, body } = await client.json<QueryPage>(
      `/queryAll?q=${encodeURIComponent('SELECT Id FROM User')}`,
    );
    expect(status).toBe(200);
    expect(body.records.length).toBe(2000);
    expect(body.nextRecordsUrl).toBeDefined();
  });

  it('when any API version from v50.0 works and others are unknown, then unknown ones are 404 NOT_FOUND', async () => {
    const soql = encodeURIComponent('SELECT Id FROM User LIMIT 1');
    for (const version of ['v50.0', 'v58.0', 'v62.0']) {
      const response = await client.request(`/services/data/${version}/query?q=${soql}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as QueryPage;
      expect(
        String(body.records[0]?.attributes && (body.records[0].attributes as { url: string }).url),
      ).toContain(`/${version}/`);
    }
    for (const version of ['v49.0', 'v62.5', 'latest', 'v99.0']) {
      const response = await client.request(`/services/data/${version}/query?q=${soql}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual([
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    }
  });

  it('when a locator sits unused for 15 minutes, then fetching it is INVALID_QUERY_LOCATOR', async () => {
    const { body } = await client.query('SELECT Id FROM User');
    sim.admin.advanceClock(15 * 60_000 + 1);
    const next = await client.json<SalesforceErrorBody>(body.nextRecordsUrl ?? '');
    expect(next.status).toBe(400);
    expect(next.body[0]?.errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('when a user opens an eleventh locator, then the oldest one is dropped', async () => {
    const urls: string[] = [];
    for (let i = 0; i < 11; i += 1)
      urls.push((await client.query('SELECT Id FROM User')).body.nextRecordsUrl ?? '');
    const oldest = await client.json<SalesforceErrorBody>(urls[0] ?? '');
    expect(oldest.body[0]?.errorCode).toBe('INVALID_QUERY_LOCATOR');
    const second = await client.json<QueryPage>(urls[1] ?? '');
    expect(second.status).toBe(200);
    expect(second.body.records.length).toBe(2000);
  });

  it('when a locator is made up, then it is INVALID_QUERY_LOCATOR', async () => {
    for (const bogus of ['/query/01gXXXXXXXXXXXXXXX-2000', '/query/nonsense']) {
      const { status, body } = await client.json<SalesforceErrorBody>(bogus);
      expect(status).toBe(400);
      expect(body[0]?.errorCode).toBe('INVALID_QUERY_LOCATOR');
    }
  });

  it('when a record is read by id, then all its fields come back; an unknown id is 404', async () => {
    const { status, body } = await client.json<Record<string, unknown>>(
      `/sobjects/User/${client.org.adminUserId}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      Id: client.org.adminUserId,
      Username: client.org.adminUsername,
      IsActive: true,
    });
    const missing = await client.json<SalesforceErrorBody>('/sobjects/User/005000000000000AAA');
    expect(missing.status).toBe(404);
  });
});
