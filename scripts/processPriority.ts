/**
 * Batch work yields the CPU to the api on a shared machine: a person waiting on a page comes before
 * a sync, which only finishes a little later. Deployed apart (compose, real hosts) this changes
 * nothing; on the two cores the tests, the demo and the benchmark share, it is what keeps the api's
 * latency from following the sync's load (read-load test, `test/load/readEndpoints.load.test.ts`).
 */
import type { ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';

export const BATCH_NICENESS = 10;

/** Workers and the database stand-in run at a lower CPU priority than the api. */
export function lowerPriority(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    setPriority(child.pid, BATCH_NICENESS);
  } catch {
    // Not permitted here: the process keeps the default priority.
  }
}
