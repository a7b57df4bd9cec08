import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { API, firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

/** Deterministic junk, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 4_294_967_296;
  };
}

describe('malformed requests', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  beforeAll(async () => {
    sim = await startTestSimulator({ orgs: [{ users: 100, seed: 6 }] });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when no or a bogus token is sent, then the answer is 401 INVALID_SESSION_ID', async () => {
    for (const authorization of ['', 'Bearer nope', `Basic ${client.token}`]) {
      const { status, body } = await client.json<SalesforceErrorBody>('/limits', {
        headers: { authorization },
      });
      expect(status).toBe(401);
      expect(body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });

  it('when a known resource gets the wrong method, then the answer is 405 listing the allowed methods', async () => {
    const { status, body } = await client.json<SalesforceErrorBody>('/query?q=SELECT+Id+FROM+User', {
      method: 'DELETE',
    });
    expect(status).toBe(405);
    expect(body).toEqual([
      { errorCode: 'METHOD_NOT_ALLOWED', message: "HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD" },
    ]);
    const describe = await client.json<SalesforceErrorBody>('/sobjects/User/describe', {
      method: 'POST',
      body: '{}',
    });
    expect([describe.status, describe.body[0]?.errorCode]).toEqual([405, 'METHOD_NOT_ALLOWED']);
  });

  it('when a path is unknown, then the answer is 404 NOT_FOUND in Salesforce’s shape', async () => {
    const notFound = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];
    for (const url of [
      `${client.org.instanceUrl}${API}/nope`,
      `${client.org.instanceUrl}${API}/sobjects/Foo/describe`,
      `${sim.url}${API}/limits`,
      `${sim.url}/org/${client.org.orgId}${API}/limits`,
      `${sim.url}/whatever`,
    ]) {
      const response = await client.request(url);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(notFound);
    }
    const unknownObject = await client.patch('/sobjects/Foo/005000000000001AAA', { IsActive: false });
    expect(unknownObject.status).toBe(404);
  });

  it('when a body is not JSON or not an object, then the answer is 400 JSON_PARSER_ERROR', async () => {
    for (const body of ['{"records": [', '', '[1,2]', 'null']) {
      const response = await client.json<SalesforceErrorBody>('/composite/sobjects', {
        method: 'PATCH',
        body,
      });
      expect([response.status, response.body[0]?.errorCode]).toEqual([400, 'JSON_PARSER_ERROR']);
    }
  });

  it('when the body is larger than the simulator accepts, then the answer is 413, not a crash', async () => {
    const response = await client.request('/composite/sobjects', {
      method: 'PATCH',
      body: 'x'.repeat(6 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it('when the data root is read without a version, then the versions list comes back', async () => {
    const response = await fetch(`${client.org.instanceUrl}/services/data`);
    const versions = (await response.json()) as { version: string }[];
    expect(versions.map((v) => v.version)).toContain('62.0');
  });

  it('when hundreds of random paths, methods and bodies are thrown at it, then nothing is a 500 and it keeps answering', async () => {
    const next = lcg(20_260_301);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const segments = [
      'services',
      'data',
      'v62.0',
      'v12.0',
      'vX',
      'query',
      'queryAll',
      'sobjects',
      'User',
      'UserLogin',
      'Foo',
      'describe',
      'composite',
      'jobs',
      'results',
      'limits',
      'oauth2',
      'token',
      'authorize',
      'revoke',
      'id',
      client.org.adminUserId,
      '005',
      '01gABC-2000',
      '%E0%A4%A',
      '..',
      '%00',
      'org',
      client.org.orgId,
      '',
      '750' + 'A'.repeat(15),
    ];
    const bodies = [
      '',
      '{',
      '{"IsActive":false}',
      '[]',
      'null',
      '{"records":[{"attributes":{}}]}',
      '\u0000\uffff',
      'grant_type=password',
      '{"operation":"query","query":"SELECT"}',
    ];
    const queries = [
      '',
      '?q=SELECT',
      '?q=SELECT+Id+FROM+User',
      '?q=%',
      '?ids=a,b',
      '?maxRecords=-1&locator=@@',
      '?q=SELECT+Id+FROM+User+WHERE+Id+IN+()',
    ];
    const methods = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i += 1) {
      const prefix = next() < 0.6 ? '/services/data' : '';
      const path = `${prefix}/${Array.from({ length: 1 + Math.floor(next() * 5) }, () => pick(segments)).join('/')}${pick(queries)}`;
      const method = pick(methods);
      const headers: Record<string, string> = {
        'content-type': pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain']),
      };
      if (next() < 0.7) headers.authorization = `Bearer ${client.token}`;
      const response = await fetch(`${next() < 0.8 ? client.org.instanceUrl : sim.url}${path}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: pick(bodies) }),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
    }
    expect(statuses.size).toBeGreaterThan(3);
    expect((await client.query('SELECT Id FROM User LIMIT 1')).status).toBe(200);
  });
});
