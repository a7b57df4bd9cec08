import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/server.js';
import type { SalesforceErrorBody } from './simulatorTestClient.js';
import { firstOrg, RestClient, startTestSimulator } from './simulatorTestClient.js';

interface JobInfo {
  id: string;
  state: string;
  numberRecordsProcessed: number;
  isPkChunkingSupported: boolean;
  errorMessage?: string;
}

/**
 * Time scale 1, the clock moved by hand, rates slowed so 10,000 rows behave as a big org's do:
 * 1 s PK-chunked, 10 s unchunked against a 5 s query timeout (wide margins for a loaded machine).
 */
describe('Bulk API 2.0 job timing', () => {
  let sim: RunningSimulator;
  let client: RestClient;

  const createJob = async (query: string): Promise<JobInfo> => {
    const { status, body } = await client.json<JobInfo>('/jobs/query', {
      method: 'POST',
      body: JSON.stringify({ operation: 'query', query }),
    });
    expect(status).toBe(200);
    return body;
  };
  const jobInfo = async (id: string): Promise<JobInfo> =>
    (await client.json<JobInfo>(`/jobs/query/${id}`)).body;

  beforeAll(async () => {
    sim = await startTestSimulator({
      orgs: [
        {
          users: 10_000,
          seed: 4,
          bulkTiming: {
            timeScale: 1,
            chunkedMsPer100k: 10_000,
            unchunkedMsPer100k: 100_000,
            queryTimeoutMs: 5_000,
          },
        },
      ],
    });
    client = await RestClient.connect(firstOrg(sim));
  });
  afterAll(() => sim.stop());

  it('when a query has ORDER BY, then it is not PK-chunked, runs longer and fails on the query timeout', async () => {
    const chunked = await createJob('SELECT Id, Username FROM User');
    const ordered = await createJob('SELECT Id, Username FROM User ORDER BY Username');
    expect((await jobInfo(ordered.id)).state).toBe('UploadComplete');

    sim.admin.advanceClock(2_000 + 1_050);
    const chunkedDone = await jobInfo(chunked.id);
    expect(chunkedDone).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 10_000 });
    expect(chunkedDone.isPkChunkingSupported).toBe(true);
    const orderedRunning = await jobInfo(ordered.id);
    expect(orderedRunning.state).toBe('InProgress');
    expect(orderedRunning.numberRecordsProcessed).toBeGreaterThan(0);
    expect(orderedRunning.numberRecordsProcessed).toBeLessThan(10_000);

    sim.admin.advanceClock(4_000);
    const failed = await jobInfo(ordered.id);
    expect(failed.state).toBe('Failed');
    expect(failed.isPkChunkingSupported).toBe(false);
    expect(failed.errorMessage).toMatch(/^QUERY_TIMEOUT: /);
    const results = await client.json<SalesforceErrorBody>(`/jobs/query/${ordered.id}/results`);
    expect(results.status).toBe(400);
    expect(results.body[0]?.errorCode).toBe('INVALIDJOB');
    const abort = await client.json<SalesforceErrorBody>(`/jobs/query/${ordered.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ state: 'Aborted' }),
    });
    expect(abort.status).toBe(400);
  });

  it('when a query has LIMIT but runs within the timeout, then it completes unchunked', async () => {
    const limited = await createJob('SELECT Id FROM User LIMIT 4000');
    sim.admin.advanceClock(2_000 + 1_050);
    expect((await jobInfo(limited.id)).state).toBe('InProgress');
    sim.admin.advanceClock(3_000);
    expect(await jobInfo(limited.id)).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: 4_000,
      isPkChunkingSupported: false,
    });
  });

  it('when a bulkJobFailed fault is injected once, then the next job fails with its message and the one after completes', async () => {
    sim.admin.addFault({
      kind: 'bulkJobFailed',
      orgId: client.org.orgId,
      count: 1,
      message: 'InternalError: try later',
    });
    const failing = await createJob('SELECT Id FROM User');
    const next = await createJob('SELECT Id FROM User');
    sim.admin.advanceClock(2_000 + 1_050);
    expect(await jobInfo(failing.id)).toMatchObject({
      state: 'Failed',
      errorMessage: 'InternalError: try later',
    });
    expect((await jobInfo(failing.id)).numberRecordsProcessed).toBeLessThan(10_000);
    expect(await jobInfo(next.id)).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 10_000 });
  });
});
