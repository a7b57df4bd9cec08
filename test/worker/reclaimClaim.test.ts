import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type Collection } from 'mongodb';
import { openTestDb, type TestDb } from '../helpers/services.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { claimFilter, claimWorkable, CLAIM_FIELD } from '../../worker/processors/reclaim/reclaimClaim.js';

interface Row {
  _id: string;
  profileId: ObjectId;
  status: CandidateStatus;
  deactivateAfter: Date | null;
  reclaimClaim?: string;
}

describe('a reclaim slice claims its candidates before its first batch', () => {
  let db: TestDb;
  let rows: Collection<Row>;
  const profileId = new ObjectId();
  const other = new ObjectId();
  const now = new Date('2026-11-29T12:00:00Z');
  const past = new Date(now.getTime() - 60_000);
  const future = new Date(now.getTime() + 60_000);

  beforeAll(async () => {
    db = await openTestDb('reclaimclaim');
    rows = db.connection.db!.collection<Row>('claim_rows');
    await rows.insertMany([
      { _id: 'c05', profileId, status: 'ready', deactivateAfter: null },
      { _id: 'c01', profileId, status: 'ready', deactivateAfter: null },
      { _id: 'c02', profileId, status: 'reclaiming', deactivateAfter: null },
      { _id: 'c03', profileId, status: 'frozen', deactivateAfter: past },
      { _id: 'c04', profileId, status: 'frozen', deactivateAfter: future },
      { _id: 'c06', profileId, status: 'pending', deactivateAfter: null },
      { _id: 'c07', profileId, status: 'withdrawn', deactivateAfter: null },
      { _id: 'c08', profileId, status: 'ready', deactivateAfter: null },
      { _id: 'c09', profileId: other, status: 'ready', deactivateAfter: null },
    ]);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('when a slice claims, then it gets its workable candidates in id order, within its range and profile, and nothing else carries its claim', async () => {
    const all = ['reclaiming', 'ready', 'frozen'] as const;
    const ids = await claimWorkable(rows, {
      profileId,
      tag: 'run1-a',
      range: { first: 'c02', last: 'c05' },
      statuses: all,
      startedAt: now,
    });
    // c01 and c08 are outside the range, c04's grace is not over, c06/c07 are not approved.
    expect(ids).toEqual(['c02', 'c03', 'c05']);
    const tagged = await rows.find(claimFilter({ profileId, tag: 'run1-a' })).toArray();
    expect(tagged.map((r) => r._id).sort()).toEqual(['c02', 'c03', 'c05']);

    // A slice that only holds approved candidates claims only those; the claim decides no status.
    const ready = await claimWorkable(rows, {
      profileId,
      tag: 'run1-b',
      range: null,
      statuses: ['ready'],
      startedAt: now,
    });
    expect(ready).toEqual(['c01', 'c05', 'c08']);
    const c09 = await rows.findOne({ _id: 'c09' });
    expect(c09?.[CLAIM_FIELD]).toBeUndefined();
    expect((await rows.find({ status: 'ready' }).toArray()).length).toBe(4);
  });
});
