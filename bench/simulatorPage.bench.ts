/**
 * Simulator figures: start-up time and RSS of a 1,000,000-user org, and server time per
 * 2000-record REST page (from the simulator's own call log). Run: npx tsx bench/simulatorPage.bench.ts
 */
import { startSimulator } from '../simulator/server.js';

const USERS = 1_000_000;
const PAGES = 20;
const SOQL =
  'SELECT Id, Username, Name, Email, IsActive, UserType, LastLoginDate, CreatedDate, ProfileId, ' +
  'Profile.Name, Profile.UserLicense.Name, Profile.UserLicense.LicenseDefinitionKey, UserPermissionsSupportUser FROM User';

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const started = performance.now();
  const sim = await startSimulator({ orgs: [{ users: USERS, seed: 1 }], quiet: true });
  const startMs = performance.now() - started;
  const org = sim.orgs[0];
  if (!org) throw new Error('no org');
  console.log(`start ${USERS} users: ${startMs.toFixed(0)} ms, RSS ${mb(process.memoryUsage().rss)}`);

  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: org.clientId,
    client_secret: org.clientSecret,
  });
  const tokenResponse = await fetch(`${org.instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    body: form,
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const get = async (path: string): Promise<{ nextRecordsUrl?: string; records: unknown[] }> => {
    const response = await fetch(`${org.instanceUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return (await response.json()) as { nextRecordsUrl?: string; records: unknown[] };
  };

  sim.callLog.reset();
  let page = await get(`/services/data/v62.0/query?q=${encodeURIComponent(SOQL)}`);
  for (let i = 0; i < PAGES && page.nextRecordsUrl; i += 1) page = await get(page.nextRecordsUrl);
  const [first, ...rest] = sim.callLog.entries({ area: 'rest' }).map((e) => e.durationMs);
  console.log(`first page (scan of ${USERS} rows + 2000 records): ${first} ms server time`);
  console.log(
    `next ${rest.length} pages of 2000 records: median ${median(rest)} ms, max ${Math.max(...rest)} ms server time`,
  );

  sim.callLog.reset();
  await get(
    `/services/data/v62.0/query?q=${encodeURIComponent(`${SOQL} WHERE IsActive = true AND LastLoginDate < LAST_N_DAYS:60`)}`,
  );
  const filtered = sim.callLog.entries({ area: 'rest' })[0]?.durationMs;
  console.log(`filtered first page (WHERE over ${USERS} rows): ${filtered} ms server time`);
  console.log(`RSS after paging: ${mb(process.memoryUsage().rss)}`);
  await sim.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
