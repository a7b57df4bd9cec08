/**
 * Which API an extract goes through. The user count decides for the users extract (above
 * `SF_BULK_THRESHOLD_USERS`, Bulk API 2.0). An assignment extract goes through Bulk only when the
 * users do and a Bulk job would cost the org fewer calls than REST pages for the rows expected
 * (the licenses in use of its catalog): a job costs its creation, a status call and a results call
 * per 100,000 rows; REST a call per page. A tie goes to REST, which waits in no job queue.
 */

/** Rows per REST query page: Salesforce's largest (and default) batch. */
export const REST_PAGE_ROWS = 2_000;
/** Rows per Bulk results call: as many as Salesforce sends at once (100,000 here and by default). */
export const BULK_RESULT_ROWS = 100_000;

export function restCallsFor(rows: number, pageRows = REST_PAGE_ROWS): number {
  return Math.max(1, Math.ceil(rows / pageRows));
}

/** Create, one status call, and the results calls. */
export function bulkCallsFor(rows: number): number {
  return 2 + Math.max(1, Math.ceil(rows / BULK_RESULT_ROWS));
}

export function assignmentsGoBulk(
  usersGoBulk: boolean,
  expectedRows: number,
  restPageRows?: number,
): boolean {
  return usersGoBulk && bulkCallsFor(expectedRows) < restCallsFor(expectedRows, restPageRows);
}
