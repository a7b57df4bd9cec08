/**
 * What no client could beat for one org, given the simulator's latency model: the fewest API calls
 * a sync needs, and the network lower bound (the one chain of calls that must happen in sequence).
 */
import { planJob, REALISTIC_BULK_TIMING, type BulkTiming } from '../simulator/bulk/bulkTiming.js';
// The same call counts the download decides its paths by.
import { bulkCallsFor, restCallsFor } from '../worker/processors/downloadSubscriptions/extractPath.js';

export interface LatencyModel {
  perCallMs: number;
  perRecordMs: number;
  bulkPerRecordMs: number;
  /** Bulk job processing as the simulator models it (simulator/bulk/bulkTiming.ts), at time scale 1. */
  bulkTiming: BulkTiming;
}

export const BENCH_LATENCY: LatencyModel = {
  perCallMs: 150,
  perRecordMs: 0.02,
  bulkPerRecordMs: 0.001,
  bulkTiming: { ...REALISTIC_BULK_TIMING, timeScale: 1 },
};

/** The cheaper of REST paging and a Bulk API 2.0 job for one extract. */
export function minimumCallsFor(rows: number): number {
  return Math.min(restCallsFor(rows), bulkCallsFor(rows));
}

export interface OrgShape {
  users: number;
  permissionSetLicenseAssignments: number;
  packageLicenseAssignments: number;
}

/**
 * download (COUNT and the three license catalogs, which fit one composite call; users, two
 * assignment extracts) + consumption (limits, usage entitlements: `/limits` is not a composite
 * subrequest). Validation and reclaim are not part of a sync.
 */
export function minimumSyncCalls(org: OrgShape): number {
  return (
    1 +
    minimumCallsFor(org.users) +
    minimumCallsFor(org.permissionSetLicenseAssignments) +
    minimumCallsFor(org.packageLicenseAssignments) +
    2
  );
}

function restChainMs(rows: number, m: LatencyModel): number {
  return restCallsFor(rows) * m.perCallMs + rows * m.perRecordMs;
}

/** A PK-chunked job (no ORDER BY): from its creation to its end. */
export function bulkJobMs(rows: number, m: LatencyModel = BENCH_LATENCY): number {
  const plan = planJob(m.bulkTiming, rows, { order: [] }, null);
  return plan.endMs;
}

function bulkChainMs(rows: number, m: LatencyModel): number {
  // Its calls (create, one status call, results) plus the job's own processing.
  return bulkCallsFor(rows) * m.perCallMs + bulkJobMs(rows, m) + rows * m.bulkPerRecordMs;
}

/** COUNT decides the path, then the users extract; every other call can overlap with it. */
export function networkLowerBoundMs(org: OrgShape, m: LatencyModel = BENCH_LATENCY): number {
  return m.perCallMs + Math.min(restChainMs(org.users, m), bulkChainMs(org.users, m));
}
