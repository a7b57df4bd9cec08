/**
 * `POST /composite` as Salesforce answers it: subrequests in order with their own status and
 * body, one call against the allowance for the whole request, and the requests Salesforce refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { QueryPage, SalesforceErrorBody } from './simulatorTestClient.js';
import { API, firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const USERS = 2_300;

interface Subresult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

describe('composite requests', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: USERS, seed: 9 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  const query = (referenceId: string, soql: string) => ({
    method: 'GET',
    url: `${API}/query?q=${encodeURIComponent(soql)}`,
    referenceId,
  });
  const composite = (body: unknown) =>
    client.json<{ compositeResponse: Subresult[] } & SalesforceErrorBody>('/composite', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  const used = () => sim.admin.apiUsage(firstOrg(sim).orgId).used;

  it('when two queries go in one composite request, then each answers as alone, in order, and the org counts one call', async () => {
    const before = used();
    const { status, body } = await composite({
      allOrNone: false,
      compositeRequest: [
        query('users', 'SELECT Id, Username FROM User LIMIT 3'),
        query('logins', 'SELECT Id, UserId, IsFrozen FROM UserLogin LIMIT 2'),
      ],
    });
    expect(status).toBe(200);
    expect(used() - before).toBe(1);
    expect(body.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ['users', 200],
      ['logins', 200],
    ]);
    const alone = await client.query('SELECT Id, Username FROM User LIMIT 3');
    expect(body.compositeResponse[0]?.body).toEqual(alone.body);
    expect((body.compositeResponse[1]?.body as QueryPage).records).toHaveLength(2);
  });

  it('when a query answers more than one page, then its subresult carries the nextRecordsUrl a client follows', async () => {
    const { body } = await composite({ compositeRequest: [query('all', 'SELECT Id FROM User')] });
    const first = body.compositeResponse[0]?.body as QueryPage;
    expect(first).toMatchObject({ totalSize: USERS, done: false });
    expect(first.records).toHaveLength(2000);
    const rest = await client.json<QueryPage>(first.nextRecordsUrl ?? '');
    expect(rest.body).toMatchObject({ done: true });
    expect(rest.body.records).toHaveLength(USERS - 2000);
  });

  it('when one subrequest is refused, then it carries its error and the others still answer', async () => {
    const { status, body } = await composite({
      compositeRequest: [
        query('bad', 'SELECT NoSuchField FROM User'),
        query('good', 'SELECT Id FROM User LIMIT 1'),
      ],
    });
    expect(status).toBe(200);
    expect(body.compositeResponse[0]).toMatchObject({
      httpStatusCode: 400,
      body: [{ errorCode: 'INVALID_FIELD' }],
    });
    expect(body.compositeResponse[1]).toMatchObject({ httpStatusCode: 200 });
  });

  it('when the request breaks Salesforce’s rules, then it is refused whole with 400 and nothing runs', async () => {
    const six = Array.from({ length: 6 }, (_, i) => query(`q${i}`, 'SELECT Id FROM User LIMIT 1'));
    const many = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: `${API}/limits`,
      referenceId: `l${i}`,
    }));
    const refused = [
      { compositeRequest: six },
      { compositeRequest: many },
      { compositeRequest: [] },
      { compositeRequest: [query('1st', 'SELECT Id FROM User')] },
      { compositeRequest: [query('same', 'SELECT Id FROM User'), query('same', 'SELECT Id FROM User')] },
      { compositeRequest: [{ method: 'GET', url: '/limits', referenceId: 'x' }] },
      { compositeRequest: [{ ...query('h', 'SELECT Id FROM User'), httpHeaders: { Authorization: 'x' } }] },
      { records: [] },
    ];
    for (const body of refused) {
      const before = used();
      const answer = await composite(body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body[0]?.errorCode).toMatch(/^(INVALID_INPUT|JSON_PARSER_ERROR)$/);
      // The call reached the org and counted, as any refused request does.
      expect(used() - before).toBe(1);
    }
    const notJson = await client.json<SalesforceErrorBody>('/composite', { method: 'POST', body: '{' });
    expect(notJson).toMatchObject({ status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR' }] });
  });

  it('when a subrequest names an API version the org does not serve or an unknown resource, then that subrequest is 404 and the others answer', async () => {
    const { body } = await composite({
      compositeRequest: [
        { method: 'GET', url: '/services/data/v20.0/limits', referenceId: 'old' },
        { method: 'GET', url: `${API}/nothing/here`, referenceId: 'unknown' },
        { method: 'GET', url: `${API}/sobjects/User/describe`, referenceId: 'd' },
      ],
    });
    expect(body.compositeResponse.map((r) => r.httpStatusCode)).toEqual([404, 404, 200]);
    expect(body.compositeResponse[2]?.body).toMatchObject({ name: 'User' });
  });
});
