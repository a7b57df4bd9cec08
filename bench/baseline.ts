/**
 * The yardstick seatwise is measured against: what anyone would write first. REST-page `User` with
 * the license name (2,000 rows a page), and `insertMany` one document per user into the same
 * database server, page by page. Nothing else: no permission set licenses, no packages, no
 * candidates, no resilience. Same simulated org, latency model and database as seatwise's run.
 */
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { startSimulator, type RunningSimulator, type SimulatorOrgInfo } from '../simulator/server.js';
import { BENCH_LATENCY } from './lowerBound.js';

const SOQL = 'SELECT Id, Username, IsActive, LastLoginDate, Profile.UserLicense.Name FROM User';

const tokenSchema = z.object({ access_token: z.string() });
const pageSchema = z.object({
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(
    z.object({
      Id: z.string(),
      Username: z.string(),
      IsActive: z.boolean(),
      LastLoginDate: z.string().nullable(),
      Profile: z.object({ UserLicense: z.object({ Name: z.string() }).nullable() }).nullable(),
    }),
  ),
});

export interface BaselineResult {
  users: number;
  seconds: number;
  /** Counted Salesforce API calls (the OAuth grant is not one). */
  apiCalls: number;
  documentsWritten: number;
}

async function fetchJson(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`baseline: ${response.status} from ${url.split('?')[0]}`);
  return response.json();
}

/** Runs the baseline against `org`, writing into database `dbName` on `mongoUrl`, then drops it. */
export async function runBaseline(
  sim: RunningSimulator,
  org: SimulatorOrgInfo,
  mongoUrl: string,
  dbName: string,
): Promise<BaselineResult> {
  const mongo = await MongoClient.connect(`${mongoUrl}/${dbName}`);
  const callsBefore = sim.callLog.count({ orgId: org.orgId, counted: true });
  try {
    const users = mongo.db().collection('users');
    const started = Date.now();
    const { access_token: token } = tokenSchema.parse(
      await fetchJson(`${org.instanceUrl}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: org.clientId,
          client_secret: org.clientSecret,
        }),
      }),
    );
    const headers = { authorization: `Bearer ${token}`, 'sforce-query-options': 'batchSize=2000' };
    let next: string | null = `/services/data/v62.0/query?q=${encodeURIComponent(SOQL)}`;
    let written = 0;
    while (next !== null) {
      const page = pageSchema.parse(await fetchJson(`${org.instanceUrl}${next}`, { headers }));
      const docs = page.records.map((r) => ({
        userId: r.Id,
        username: r.Username,
        isActive: r.IsActive,
        lastLoginDate: r.LastLoginDate === null ? null : new Date(r.LastLoginDate),
        license: r.Profile?.UserLicense?.Name ?? null,
      }));
      if (docs.length > 0) written += (await users.insertMany(docs, { ordered: false })).insertedCount;
      next = page.done || !page.nextRecordsUrl ? null : page.nextRecordsUrl;
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      users: org.users,
      seconds,
      apiCalls: sim.callLog.count({ orgId: org.orgId, counted: true }) - callsBefore,
      documentsWritten: written,
    };
  } finally {
    await mongo
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  }
}

/** `--only baseline`: the baseline alone on a simulated org of each size (no seatwise processes). */
export async function baselineOnly(mongoUrl: string, users: number): Promise<BaselineResult> {
  const sim = await startSimulator({
    port: 0,
    quiet: true,
    seed: 11,
    orgs: [
      {
        users,
        seed: 11,
        clientCredentialsUser: true,
        edition: 'Unlimited',
        latency: {
          perCallMs: BENCH_LATENCY.perCallMs,
          perRecordMs: BENCH_LATENCY.perRecordMs,
          bulkPerRecordMs: BENCH_LATENCY.bulkPerRecordMs,
        },
      },
    ],
  });
  try {
    const [org] = sim.orgs;
    if (!org) throw new Error('no org');
    return await runBaseline(sim, org, mongoUrl, `bench_baseline_${Date.now().toString(36)}`);
  } finally {
    await sim.stop();
  }
}
