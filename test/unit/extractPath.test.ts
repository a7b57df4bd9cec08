import { describe, expect, it } from 'vitest';
import {
  assignmentsGoBulk,
  bulkCallsFor,
  restCallsFor,
} from '../../worker/processors/downloadSubscriptions/extractPath.js';

describe('which API an assignment extract goes through', () => {
  it('when the users go through REST, then so do the assignments, however many', () => {
    expect(assignmentsGoBulk(false, 5_000_000)).toBe(false);
  });

  it('when REST pages would cost fewer calls than a Bulk job, then REST', () => {
    // The demo org's package assignments: one page against create, status and results.
    expect(restCallsFor(1_807)).toBe(1);
    expect(bulkCallsFor(1_807)).toBe(3);
    expect(assignmentsGoBulk(true, 1_807)).toBe(false);
  });

  it('when both cost the same, then REST, which waits in no job queue', () => {
    expect(restCallsFor(6_000)).toBe(bulkCallsFor(6_000));
    expect(assignmentsGoBulk(true, 6_000)).toBe(false);
  });

  it('when a Bulk job costs fewer calls, then Bulk', () => {
    expect(assignmentsGoBulk(true, 6_121)).toBe(true);
    expect(bulkCallsFor(250_000)).toBe(5);
    expect(assignmentsGoBulk(true, 250_000)).toBe(true);
  });

  it('when REST pages are smaller, then fewer rows make Bulk the cheaper', () => {
    expect(assignmentsGoBulk(true, 150)).toBe(false);
    expect(assignmentsGoBulk(true, 150, 20)).toBe(true);
  });
});
