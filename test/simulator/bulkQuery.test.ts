import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

const USERS = 5000;

interface JobInfo {
  id: string;
  state: string;
  object: string;
  operation: string;
  numberRecordsProcessed?: number;
  errorMessage?: string;
}

describe('Bulk API 2.0 query', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  const createJob = (query: string, operation = 'query') =>
    client.json<JobInfo & SalesforceErrorBody>('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({ operation, query }),
    });

  async function waitForCompletion(jobId: string): Promise<{ states: string[]; job: JobInfo }> {
    const states: string[] = [];
    for (;;) {
      const { body } = await client.json<JobInfo>(`/jobs/query/${jobId}`);
      if (states.at(-1) !== body.state) states.push(body.state);
      if (body.state === 'JobComplete' || body.state === 'Failed' || body.state === 'Aborted')
        return { states, job: body };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeAll(async () => {
    sim = await startTestSimulator({
      // Queued long enough that the first poll sees UploadComplete even on a loaded machine.
      orgs: [
        {
          users: USERS,
          seed: 9,
          bulkTiming: { queuedMs: 400, timeScale: 1, minProcessingMs: 50, chunkedMsPer100k: 2_000 },
        },
      ],
    });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when a job is created, then it starts UploadComplete with a 750 id and completes through InProgress', async () => {
    const { status, body } = await createJob('SELECT Id, Username FROM User');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      state: 'UploadComplete',
      object: 'User',
      operation: 'query',
      contentType: 'CSV',
      apiVersion: 62,
    });
    expect(body.id).toMatch(/^750[0-9A-Za-z]{15}$/);
    const { states, job } = await waitForCompletion(body.id);
    expect(states).toEqual(['UploadComplete', 'InProgress', 'JobComplete']);
    expect(job.numberRecordsProcessed).toBe(USERS);
  });

  it('when results are paged with maxRecords and Sforce-Locator, then every row arrives exactly once', async () => {
    const soql = 'SELECT Id, Name, IsActive, LastLoginDate, Profile.UserLicense.Name FROM User';
    const { body: created } = await createJob(soql);
    await waitForCompletion(created.id);
    const rows: Record<string, string>[] = [];
    const counts: string[] = [];
    let locator: string | null = '';
    while (locator !== 'null') {
      const query = `maxRecords=2000${locator ? `&locator=${locator}` : ''}`;
      const response = await client.request(`/jobs/query/${created.id}/results?${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/csv');
      counts.push(response.headers.get('sforce-numberofrecords') ?? '');
      locator = response.headers.get('sforce-locator');
      rows.push(...(parse(await response.text(), { columns: true }) as Record<string, string>[]));
    }
    expect(counts).toEqual(['2000', '2000', '1000']);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(USERS);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'Id',
      'Name',
      'IsActive',
      'LastLoginDate',
      'Profile.UserLicense.Name',
    ]);
    expect(rows.some((r) => r.LastLoginDate === '')).toBe(true);
    expect(rows.find((r) => r.LastLoginDate !== '')?.LastLoginDate).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/,
    );
    const rest = await client.queryAllPages(soql);
    const activeViaRest = rest.records.filter((r) => r.IsActive === true).length;
    expect(rows.filter((r) => r.IsActive === 'true').length).toBe(activeViaRest);
  });

  it('when values contain quotes and commas, then the CSV quotes them per RFC 4180', async () => {
    const { body: created } = await createJob(
      "SELECT Name, LastName FROM User WHERE LastName IN ('O\\'Brien', 'Smith, Jr.')",
    );
    await waitForCompletion(created.id);
    const text = await (await client.request(`/jobs/query/${created.id}/results`)).text();
    expect(text.split('\n')[0]).toBe('"Name","LastName"');
    const rows = parse(text, { columns: true }) as { LastName: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.LastName))).toEqual(new Set(["O'Brien", 'Smith, Jr.']));
  });

  it('when results are requested before the job completes, then the request is refused', async () => {
    const { body: created } = await createJob('SELECT Id FROM User');
    const early = await client.json<SalesforceErrorBody>(`/jobs/query/${created.id}/results`);
    expect(early.status).toBe(400);
    expect(early.body[0]?.errorCode).toBe('INVALIDJOB');
  });

  it.each([
    ['SELECT COUNT() FROM User', 'INVALIDJOB'],
    ['SELECT Id FROM User LIMIT 5 OFFSET 10', 'INVALIDJOB'],
    ['SELECT Nope FROM User', 'INVALID_FIELD'],
    ['SELECT Id FROM Nope', 'INVALID_TYPE'],
    ['SELECT Id FROM', 'MALFORMED_QUERY'],
  ])('when the job query is %s, then creation is a 400 %s', async (soql, code) => {
    const { status, body } = await createJob(soql);
    expect(status).toBe(400);
    expect(body[0]?.errorCode).toBe(code);
  });

  it('when the operation is unknown, then creation is refused', async () => {
    const { status } = await createJob('SELECT Id FROM User', 'insert');
    expect(status).toBe(400);
  });

  it('when a job is aborted, listed and deleted, then its state and presence follow', async () => {
    const { body: created } = await createJob('SELECT Id FROM User');
    const aborted = await client.json<JobInfo>(`/jobs/query/${created.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ state: 'Aborted' }),
    });
    expect(aborted.body.state).toBe('Aborted');
    const list = await client.json<{ done: boolean; records: JobInfo[] }>('/jobs/query');
    expect(list.body.records.map((j) => j.id)).toContain(created.id);
    expect((await client.request(`/jobs/query/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.request(`/jobs/query/${created.id}`)).status).toBe(404);
  });

  it('when bulk calls are made, then each counts against the allowance', async () => {
    const before = sim.admin.apiUsage(client.org.orgId).used;
    const { body: created } = await createJob('SELECT Id FROM UserLicense');
    await client.json(`/jobs/query/${created.id}`);
    expect(sim.admin.apiUsage(client.org.orgId).used).toBe(before + 2);
    expect(sim.callLog.entries({ orgId: client.org.orgId, area: 'bulk' }).length).toBeGreaterThan(0);
  });
});
