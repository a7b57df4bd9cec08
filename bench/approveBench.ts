/**
 * The benchmark's approve leg: approving many candidates through the api's decisions endpoint on a
 * big org. Only the requests are timed; the ids come straight from the database beforehand.
 */
import { MongoClient } from 'mongodb';
import { approveIds, publishProfile } from '../scripts/seatwiseApiDriver.js';
import { connectAll, dbNameOf, startBenchEnv, waitForJob, type BenchServices } from './benchHarness.js';
import { approvePeer, copyOfCandidates, type ApprovePeer } from './enginePeers.js';

const SYNC_TIMEOUT = 45 * 60_000;

export interface ApproveResult {
  users: number;
  candidates: number;
  approved: number;
  perRequest: number;
  approveSeconds: number;
  /** The straightforward `updateMany` of the same ids on a copy of the same candidates. */
  peer: ApprovePeer;
}

async function pendingUserLicenseIdsInDb(
  mongoUrl: string,
  dbName: string,
  profileId: string,
  count: number,
): Promise<{ ids: string[]; total: number }> {
  const mongo = await MongoClient.connect(`${mongoUrl}/${dbName}`);
  try {
    const all = await mongo
      .db()
      .collection<{ _id: string; identifier: string; status: string }>(`removal_candidates_${profileId}`)
      .find({}, { projection: { identifier: 1, status: 1 } })
      .toArray();
    const ids = all
      .filter((c) => c.status === 'pending' && c.identifier.startsWith('UL:'))
      .slice(0, count)
      .map((c) => c._id);
    return { ids, total: all.length };
  } finally {
    await mongo.close();
  }
}

/** Approving many candidates through the api: the decisions endpoint only, ids read beforehand. */
export async function approveBench(
  services: BenchServices,
  approve: number,
  users: number,
  perRequest: number,
): Promise<ApproveResult> {
  const env = await startBenchEnv(services, {
    orgs: [users],
    workers: 2,
    name: `bench_approve_${Date.now().toString(36)}`,
  });
  try {
    const [profile] = await connectAll(env);
    if (!profile) throw new Error('no profile');
    const runId = await publishProfile(env.api, profile.profileId);
    await waitForJob(env.api, profile.profileId, runId, 'computeCandidates', SYNC_TIMEOUT, () =>
      env.noWorkerLeft(),
    );
    await waitForJob(env.api, profile.profileId, runId, 'downloadConsumption', 60_000);
    // Read straight from the database: paging the list endpoint that far times out on FerretDB,
    // and what is measured here is the decisions endpoint.
    const { ids, total } = await pendingUserLicenseIdsInDb(
      services.mongoUrl,
      dbNameOf(env),
      profile.profileId,
      approve,
    );
    if (ids.length < approve) throw new Error(`only ${ids.length} user-license candidates; need ${approve}`);
    const before = await copyOfCandidates(services.mongoUrl, dbNameOf(env), profile.profileId);
    const started = Date.now();
    await approveIds(env.api, profile.profileId, ids, perRequest);
    const approveSeconds = (Date.now() - started) / 1000;
    const peer = await approvePeer(services.mongoUrl, dbNameOf(env), before, ids);
    return {
      users,
      candidates: total,
      approved: ids.length,
      perRequest,
      approveSeconds,
      peer,
    };
  } finally {
    await env.stop();
  }
}
