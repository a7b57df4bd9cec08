/**
 * reclaim: when the profile's reclaim subflow is on, reclaims its approved candidates (and the
 * frozen ones whose grace is over), each re-checked at the moment of the write. Up to
 * RECLAIM_BATCH_SIZE it works inline; beyond, it fans out one child job per slice of candidate ids on
 * the reclaim queue (any worker takes them), waits for them (`moveToWaitingChildren`) and sums their
 * outcomes. A dry run records the calls it would make. `reclaimUndo` jobs share the queue.
 */
import { Queue, WaitingChildrenError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  RECLAIM_BATCH_JOB_NAME,
  RECLAIM_BATCH_SIZE,
  reclaimBatchJobId,
  reclaimBatchPayloadSchema,
  type ReclaimBatchPayload,
  type ShardPiece,
} from '../../shared/jobs/reclaimBatch.js';
import {
  RECLAIM_UNDO_JOB_NAME,
  reclaimUndoPayloadSchema,
  type ReclaimUndoPayload,
} from '../../shared/jobs/reclaimUndo.js';
import { candidatesOf } from '../../shared/db/profileCollections.js';
import { SeatwiseError } from '../../shared/errors.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { outcomeOf } from '../jobOutcome.js';
import { parseJobData, parseRunPayload } from '../jobPayload.js';
import type { JobOutcome, JobProcessor, WorkerDeps } from '../workerDeps.js';
import {
  addTally,
  emptyTally,
  reclaimCandidates,
  workableFilter,
  type ReclaimTally,
} from './reclaim/reclaimCandidates.js';
import type { WorkableStatus } from '../../shared/domain/candidateLifecycle.js';
import { allPieces, sliceWorkable, type WorkableRow } from './reclaim/reclaimSlices.js';
import { undoReclaim } from './reclaim/undoReclaim.js';

export interface ReclaimOptions {
  now?: () => Date;
  /** Candidates above which the work fans out, and per child (default RECLAIM_BATCH_SIZE). */
  batchSize?: number;
}

const CHILD_ATTEMPTS = 5;

type ChildOutcome = JobOutcome & { result: { tally: ReclaimTally } };

function isChildOutcome(value: unknown): value is ChildOutcome {
  if (!value || typeof value !== 'object' || !('result' in value) || !('counts' in value)) return false;
  const result = (value as { result: unknown }).result;
  return !!result && typeof result === 'object' && 'tally' in result;
}

export function createReclaimProcessor(deps: WorkerDeps, options: ReclaimOptions = {}): JobProcessor {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? RECLAIM_BATCH_SIZE;
  const queues = new Map<string, Queue>();
  const queueFor = (prefix: string): Queue => {
    let queue = queues.get(prefix);
    if (!queue) {
      queue = new Queue(QUEUE_NAMES.reclaim, { connection: deps.redis, prefix });
      queues.set(prefix, queue);
    }
    return queue;
  };

  async function loadProfile(profileId: string) {
    const profile = await deps.models.IntegrationProfile.findById(new ObjectId(profileId), {
      subflows: 1,
      dryRun: 1,
      activeSyncId: 1,
    }).lean();
    if (!profile)
      throw new SeatwiseError('PROFILE_NOT_FOUND', `profile ${profileId} does not exist`, { profileId });
    return profile;
  }

  async function runSlice(
    job: Job,
    payload: { profileId: string; runId: string },
    slice: {
      range: { first: string; last: string } | null;
      claimTag: string;
      statuses?: WorkableStatus[];
      pieces?: ShardPiece[];
    } | null,
  ): Promise<JobOutcome> {
    const profile = await loadProfile(payload.profileId);
    const client = await deps.salesforceFor(payload.profileId);
    const tally = await reclaimCandidates(
      deps.models,
      client,
      {
        profileId: new ObjectId(payload.profileId),
        runId: payload.runId,
        syncId: profile.activeSyncId ?? null,
        range: slice?.range ?? null,
        claimTag: slice?.claimTag ?? `${payload.runId}-inline`,
        statuses: slice?.statuses,
        pieces: slice?.pieces,
        now,
      },
      (done) => job.updateProgress({ phase: 'reclaim', done, total: done }),
    );
    return outcomeOf(client, tally.writes, { runId: payload.runId, dryRun: profile.dryRun, tally });
  }

  /** Our own children (a run's flow may give this job other children: the jobs it waited for). */
  async function batchChildren(job: Job, runId: string): Promise<{ pending: number; outcomes: unknown[] }> {
    const marker = `:${runId}-${RECLAIM_BATCH_JOB_NAME}-`;
    const dependencies = await job.getDependencies();
    const processed = Object.entries(dependencies.processed ?? {}).filter(([key]) => key.includes(marker));
    const pending = (dependencies.unprocessed ?? []).filter((key) => key.includes(marker)).length;
    return {
      pending,
      outcomes: processed.map(([, value]) =>
        typeof value === 'string' ? (JSON.parse(value) as unknown) : value,
      ),
    };
  }

  /** The parent's outcome: its children's outcomes added up. */
  async function summarize(
    job: Job,
    payload: { profileId: string; runId: string },
    dryRun: boolean,
  ): Promise<JobOutcome> {
    const { outcomes } = await batchChildren(job, payload.runId);
    const tally = emptyTally();
    const counts = { records: 0, pages: 0, apiCalls: 0, writes: 0 };
    for (const outcome of outcomes) {
      if (!isChildOutcome(outcome)) continue;
      addTally(tally, outcome.result.tally);
      counts.records += outcome.counts.records;
      counts.pages += outcome.counts.pages;
      counts.apiCalls += outcome.counts.apiCalls;
      counts.writes += outcome.counts.writes;
    }
    const client = await deps.salesforceFor(payload.profileId);
    return {
      counts,
      apiUsage: await client.apiUsage(),
      result: { runId: payload.runId, dryRun, batches: outcomes.length, tally },
    };
  }

  return async (job: Job, token?: string): Promise<JobOutcome> => {
    if (job.name === RECLAIM_UNDO_JOB_NAME) {
      const payload: ReclaimUndoPayload = parseJobData(job, reclaimUndoPayloadSchema);
      return undoReclaim(deps, payload, now);
    }
    if (job.name === RECLAIM_BATCH_JOB_NAME) {
      const payload: ReclaimBatchPayload = parseJobData(job, reclaimBatchPayloadSchema);
      return runSlice(job, payload, {
        range: { first: payload.firstCandidateId, last: payload.lastCandidateId },
        claimTag: reclaimBatchJobId(payload),
        statuses: payload.statuses,
        pieces: payload.pieces,
      });
    }
    const payload = parseRunPayload(job);
    const profile = await loadProfile(payload.profileId);
    if (!(profile.subflows?.reclaimSubscriptions ?? true)) {
      return {
        counts: { records: 0, pages: 0, apiCalls: 0, writes: 0 },
        apiUsage: null,
        result: { runId: payload.runId, skipped: 'reclaim subflow is off for this profile' },
      };
    }

    const children = await batchChildren(job, payload.runId);
    if (children.pending + children.outcomes.length > 0) {
      // Resumed after the children finished (or after a crash between adding and waiting).
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
      return summarize(job, payload, profile.dryRun);
    }

    // One read of the workable candidates' ids, statuses and shards: inline when they fit one
    // slice, else the slices (`reclaimSlices.ts`).
    const profileId = new ObjectId(payload.profileId);
    const open = workableFilter(now()) as Record<string, unknown>;
    const rows: WorkableRow[] = [];
    const cursor = candidatesOf(deps.models, profileId)
      .find(open, { _id: 1, status: 1, reclaimShard: 1 })
      .lean()
      .cursor();
    for await (const c of cursor)
      rows.push({
        id: String(c._id),
        status: c.status as WorkableStatus,
        shard: typeof c.reclaimShard === 'number' ? c.reclaimShard : null,
      });
    const sliced = sliceWorkable(rows, batchSize);
    if (sliced.length <= 1 || !token) {
      const pieces = allPieces(sliced);
      return runSlice(
        job,
        payload,
        pieces ? { range: null, claimTag: `${payload.runId}-inline`, pieces } : null,
      );
    }
    const slices: ReclaimBatchPayload[] = sliced.map((slice, batch) => ({
      ...payload,
      batch,
      firstCandidateId: slice.first,
      lastCandidateId: slice.last,
      statuses: slice.statuses,
      ...(slice.pieces ? { pieces: slice.pieces } : {}),
    }));

    if (!job.id) throw new SeatwiseError('JOB_WITHOUT_ID', 'a reclaim job needs an id to own child jobs', {});
    await queueFor(job.prefix).addBulk(
      slices.map((slice) => ({
        name: RECLAIM_BATCH_JOB_NAME,
        data: slice,
        opts: {
          jobId: reclaimBatchJobId(slice),
          parent: { id: job.id as string, queue: job.queueQualifiedName },
          attempts: CHILD_ATTEMPTS,
          backoff: { type: 'exponential', delay: 2_000 },
          failParentOnFailure: true,
          removeOnComplete: false,
        },
      })),
    );
    await job.updateProgress({ phase: 'fan-out', done: 0, total: slices.length });
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    throw new SeatwiseError(
      'RECLAIM_FAN_OUT_RACE',
      'children finished before the parent could wait; retrying',
      {
        runId: payload.runId,
      },
    );
  };
}
