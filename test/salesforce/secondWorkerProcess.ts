/**
 * A second worker process for the cross-process pause test: one call per org through its own
 * client factory on the same Redis prefix; prints `{ "<orgId>": "ok" | "<error kind>" }`.
 * Usage: tsx secondWorkerProcess.ts '<json>' with { redisUrl, prefix, orgs: OrgCredentials[] }.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createSalesforceClients } from '../../shared/salesforce/salesforceClients.js';
import type { OrgCredentials } from '../../shared/salesforce/salesforceClient.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import { RecordingTokenStore, SF_CONFIG } from './clientHarness.js';

interface Input {
  redisUrl: string;
  prefix: string;
  orgs: { orgId: string; credentials: OrgCredentials }[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const redis = new Redis(input.redisUrl, { maxRetriesPerRequest: null });
const clients = createSalesforceClients({
  config: SF_CONFIG,
  redis,
  prefix: input.prefix,
  log: pino({ level: 'silent' }),
});

const outcome: Record<string, string> = {};
for (const { orgId, credentials } of input.orgs) {
  try {
    await clients
      .forOrg(credentials, new RecordingTokenStore(credentials.tokens))
      .count('SELECT COUNT() FROM User');
    outcome[orgId] = 'ok';
  } catch (error) {
    outcome[orgId] = error instanceof SalesforceError ? error.kind : String(error);
  }
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
await clients.close();
redis.disconnect();
