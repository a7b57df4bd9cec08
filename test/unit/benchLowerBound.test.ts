import { describe, expect, it } from 'vitest';
import {
  BENCH_LATENCY,
  bulkJobMs,
  minimumCallsFor,
  minimumSyncCalls,
  networkLowerBoundMs,
} from '../../bench/lowerBound.js';

describe('the benchmark lower bounds', () => {
  it('when an extract is small, then REST paging is the cheaper path; when large, Bulk is', () => {
    expect(minimumCallsFor(0)).toBe(1);
    expect(minimumCallsFor(2_000)).toBe(1);
    expect(minimumCallsFor(2_001)).toBe(2);
    expect(minimumCallsFor(5_000)).toBe(3);
    expect(minimumCallsFor(100_000)).toBe(3);
    expect(minimumCallsFor(1_000_000)).toBe(12);
  });

  it('when a sync is counted, then it is the download and consumption calls and nothing else', () => {
    // One composite call (COUNT and the three catalogs), the three extracts, limits and entitlements.
    expect(
      minimumSyncCalls({ users: 5_000, permissionSetLicenseAssignments: 100, packageLicenseAssignments: 0 }),
    ).toBe(1 + 3 + 1 + 1 + 2);
  });

  it('when the org is large, then the bound is COUNT plus the bulk chain, far below REST paging', () => {
    const org = { users: 100_000, permissionSetLicenseAssignments: 0, packageLicenseAssignments: 0 };
    const restChain = 50 * BENCH_LATENCY.perCallMs + 100_000 * BENCH_LATENCY.perRecordMs;
    const bound = networkLowerBoundMs(org);
    expect(bound).toBeLessThan(restChain);
    // A PK-chunked job of 100,000 rows: 2 s queued, then 3 s per 100,000 rows (simulator/bulk).
    expect(bulkJobMs(100_000)).toBe(5_000);
    expect(bound).toBeCloseTo(150 + 2 * 150 + bulkJobMs(100_000) + 150 + 100, 5);
  });
});
