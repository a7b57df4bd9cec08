import type { SalesforceOrgClient } from '../shared/salesforce/salesforceClient.js';
import type { JobOutcome } from './workerDeps.js';

/** The JobOutcome of a processor: Salesforce counts from the client, writes and result from the job. */
export async function outcomeOf(
  client: SalesforceOrgClient,
  writes: number,
  result: Record<string, unknown>,
): Promise<JobOutcome> {
  const stats = client.stats();
  return {
    counts: { records: stats.records, pages: stats.pages, apiCalls: stats.calls, writes },
    apiUsage: await client.apiUsage(),
    result,
  };
}
