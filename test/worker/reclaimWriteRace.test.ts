/**
 * The moment between the re-check and the write: an admin withdraws an approval after the batch
 * re-read its candidates. The intent move is conditional on the status re-read, so the withdrawn
 * candidate is not taken, and the batch sends calls only for the candidates it holds.
 */
import { ObjectId, type Collection } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { candidateJournalOf } from '../../shared/db/candidateJournal.js';
import { applyCandidateMoves } from '../../shared/db/candidateMoves.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { loadBatchState, type CandidateRow } from '../../worker/processors/reclaim/batchState.js';
import { writeBatch, type PlannedWrite } from '../../worker/processors/reclaim/batchWrites.js';
import { claimFilter, claimWorkable } from '../../worker/processors/reclaim/reclaimClaim.js';
import { idKey, readUsersAndLogins } from '../../worker/processors/reclaim/salesforceState.js';
import { createComputeCandidatesProcessor } from '../../worker/processors/computeCandidates.js';
import { createDownloadSubscriptionsProcessor } from '../../worker/processors/downloadSubscriptions.js';
import { approveCandidates } from '../helpers/candidateApprovals.js';
import { createProfileFixture, type ProfileFixture } from '../helpers/profileFixtures.js';

let f: ProfileFixture;

beforeAll(async () => {
  f = await createProfileFixture({ label: 'writerace', org: { users: 300, seed: 5 } });
  await f.runJob('downloadSubscriptions', createDownloadSubscriptionsProcessor(f.deps));
  await f.runJob('computeCandidates', createComputeCandidatesProcessor(f.deps));
});
afterAll(async () => f?.close());

it('when an approval is withdrawn after the batch re-read it, then that user is not frozen and the others are', async () => {
  const rows = candidatesOf(f.models, f.profileId).collection as unknown as Collection<CandidateRow>;
  const pending = await rows
    .find({ identifier: /^UL:/, status: 'pending', action: 'deactivate_user' })
    .toArray();
  const eligible = pending.filter(
    (c) => (f.sim.admin.user(f.org.orgId, c.userId)?.deactivationBlockers ?? []).length === 0,
  );
  const picked = eligible.slice(0, 6).map((c) => c._id);
  expect(picked).toHaveLength(6);
  await approveCandidates(f.models, f.profileId, { _id: { $in: picked } });

  const profileId = new ObjectId(f.profileId);
  const runId = f.newRunId();
  const claim = { profileId, tag: `${runId}-race` };
  const ids = await claimWorkable(rows, {
    ...claim,
    range: null,
    statuses: ['ready'],
    startedAt: new Date(),
  });
  expect(ids.sort()).toEqual([...picked].sort());
  const state = await loadBatchState(f.models, rows, profileId, ids, claimFilter(claim));
  const client = await f.deps.salesforceFor(f.profileId);
  const { users, logins } = await readUsersAndLogins(
    client,
    state.candidates.map((c) => c.userId),
  );
  const planned: PlannedWrite[] = state.candidates.map((candidate) => ({
    candidate,
    phase: 'freeze',
    user: users.get(idKey(candidate.userId))!,
    login: logins.get(idKey(candidate.userId)),
  }));
  expect(planned.every((w) => w.candidate.status === 'ready' && w.user && w.login)).toBe(true);

  // The admin's withdrawal lands after the re-read, before the write.
  const [withdrawn] = state.candidates;
  await applyCandidateMoves(
    rows,
    [{ id: withdrawn!._id, from: 'ready', events: ['withdraw'], set: { approval: null } }],
    new Date(),
    candidateJournalOf(f.models, f.profileId),
  );

  const result = await writeBatch(f.models, client, rows, planned, state, { profileId, runId }, new Date());

  expect(result.frozen).toBe(5);
  expect(f.sim.admin.user(f.org.orgId, withdrawn!.userId)?.isFrozen).toBe(false);
  for (const w of planned.slice(1))
    expect(f.sim.admin.user(f.org.orgId, w.candidate.userId)?.isFrozen).toBe(true);
  expect((await rows.findOne({ _id: withdrawn!._id }))?.status).toBe('withdrawn');
  expect(result.moves.map((m) => m.id).sort()).toEqual(
    planned
      .slice(1)
      .map((w) => w.candidate._id)
      .sort(),
  );
});
