/**
 * What no client could beat for one org, given the simulator's latency model: the fewest API calls
 * a sync needs, and the network lower bound (the one chain of calls that must happen in sequence).
 */
export interface LatencyModel {
  perCallMs: number;
  perRecordMs: number;
  bulkPerRecordMs: number;
  /** Bulk job processing time the simulator models: queued + per record. */
  bulkQueuedMs: number;
  bulkProcessingPerRecordMs: number;
}

export const BENCH_LATENCY: LatencyModel = {
  perCallMs: 150,
  perRecordMs: 0.02,
  bulkPerRecordMs: 0.001,
  bulkQueuedMs: 20,
  bulkProcessingPerRecordMs: 0.001,
};

/** Salesforce's largest REST page, and the simulator's (and Salesforce's default) Bulk result page. */
export const REST_PAGE = 2_000;
export const BULK_PAGE = 100_000;

function restCalls(rows: number): number {
  return Math.max(1, Math.ceil(rows / REST_PAGE));
}

function bulkCalls(rows: number): number {
  // create + one status poll + result pages
  return 2 + Math.max(1, Math.ceil(rows / BULK_PAGE));
}

/** The cheaper of REST paging and a Bulk API 2.0 job for one extract. */
export function minimumCallsFor(rows: number): number {
  return Math.min(restCalls(rows), bulkCalls(rows));
}

export interface OrgShape {
  users: number;
  permissionSetLicenseAssignments: number;
  packageLicenseAssignments: number;
}

/**
 * download (COUNT, three license catalogs, users, two assignment extracts) + consumption (limits,
 * usage entitlements). Validation and reclaim are not part of a sync.
 */
export function minimumSyncCalls(org: OrgShape): number {
  return (
    1 +
    3 +
    minimumCallsFor(org.users) +
    minimumCallsFor(org.permissionSetLicenseAssignments) +
    minimumCallsFor(org.packageLicenseAssignments) +
    2
  );
}

function restChainMs(rows: number, m: LatencyModel): number {
  return restCalls(rows) * m.perCallMs + rows * m.perRecordMs;
}

function bulkChainMs(rows: number, m: LatencyModel): number {
  const processing = m.bulkQueuedMs + rows * m.bulkProcessingPerRecordMs;
  return 2 * m.perCallMs + processing + Math.ceil(rows / BULK_PAGE) * m.perCallMs + rows * m.bulkPerRecordMs;
}

/** COUNT decides the path, then the users extract; every other call can overlap with it. */
export function networkLowerBoundMs(org: OrgShape, m: LatencyModel = BENCH_LATENCY): number {
  return m.perCallMs + Math.min(restChainMs(org.users, m), bulkChainMs(org.users, m));
}
