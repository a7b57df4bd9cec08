/**
 * The only way a candidate's status is written: each move names its events, the transition table
 * gives the target, and the update is conditional on the status the move starts from. A move the
 * table does not list throws before anything is written; a candidate that changed meanwhile (an
 * admin withdrew it, another worker took it) is simply not matched, and the caller re-reads.
 */
import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { CandidateStatus } from './models/removalCandidate.model.js';
import { transition, type CandidateEvent } from '../domain/candidateLifecycle.js';
import { SeatwiseError } from '../errors.js';
import { bulkWriteInChunks } from './bulkWriteInChunks.js';
import type { CandidateJournal } from './candidateJournal.js';

export interface CandidateMove {
  id: string;
  from: CandidateStatus;
  events: readonly CandidateEvent[];
  /** Other fields written with the status (approval, reason, outcome…). */
  set?: Record<string, unknown>;
  inc?: Record<string, number>;
}

interface StatusDoc {
  _id: string;
  status: CandidateStatus;
}

/**
 * Equalities added to a filter to narrow what the database scans (a reclaim's claim, or each
 * candidate's reclaim shard): one for all ids, or one per id.
 */
export type Narrowing = Record<string, unknown> | ((id: string) => Record<string, unknown>);

/** `ids` grouped by the narrowing each takes, so each group is one command. */
export function narrowGroups(
  ids: readonly string[],
  narrow: Narrowing,
): { filter: Record<string, unknown>; ids: string[] }[] {
  if (typeof narrow !== 'function') return ids.length > 0 ? [{ filter: narrow, ids: [...ids] }] : [];
  const groups = new Map<string, { filter: Record<string, unknown>; ids: string[] }>();
  for (const id of ids) {
    const filter = narrow(id);
    const key = JSON.stringify(filter);
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { filter, ids: [id] });
  }
  return [...groups.values()];
}

/** The status the events lead to from `from`, or throws: an illegal move is a bug, never a write. */
export function targetOf(from: CandidateStatus, events: readonly CandidateEvent[]): CandidateStatus {
  let status = from;
  for (const event of events) {
    const next = transition(status, event);
    if (!next)
      throw new SeatwiseError('ILLEGAL_CANDIDATE_MOVE', `no move for ${event} from ${status}`, {
        from,
        event,
      });
    status = next;
  }
  return status;
}

/**
 * Ids per updateMany: a whole reclaim batch or decision request (`MAX_DECISION_IDS`) in one command.
 * On FerretDB each update command decodes every candidate in its `from` status (the status equality
 * is pushed down, `$in` is not), and the moved ones leave that status only as the command writes
 * them: approving 10,000 of 20,723 pending candidates in commands of 1,000 ids decoded about 155,000
 * candidates, against 20,723 in one command (`engineQuirks.ts`).
 */
const IDS_PER_UPDATE = 10_000;

/**
 * Writes the moves (conditional on `from`) and lists them in the profile's candidate journal;
 * returns how many candidates actually moved. Moves that write the same thing go together as one
 * `updateMany` over `_id: {$in}` and the `from` status: on MongoDB the `_id` index answers it, on
 * FerretDB it is one scan of the candidates in that status instead of one per candidate.
 */
export async function applyCandidateMoves<T extends StatusDoc>(
  collection: Collection<T>,
  moves: readonly CandidateMove[],
  now: Date,
  journal: CandidateJournal,
  /** Equalities added to every filter to narrow what the database scans (`Narrowing`). */
  narrow: Narrowing = {},
): Promise<number> {
  const narrowOf = typeof narrow === 'function' ? narrow : () => narrow;
  const groups = new Map<string, { move: CandidateMove; narrow: Record<string, unknown>; ids: string[] }>();
  for (const move of moves) {
    const filter = narrowOf(move.id);
    const key = JSON.stringify([move.from, move.events, move.set ?? null, move.inc ?? null, filter]);
    const group = groups.get(key);
    if (group) group.ids.push(move.id);
    else groups.set(key, { move, narrow: filter, ids: [move.id] });
  }
  const singles: AnyBulkWriteOperation<T>[] = [];
  const many: AnyBulkWriteOperation<T>[] = [];
  for (const { move, narrow, ids } of groups.values()) {
    const update: Record<string, unknown> = {
      $set: { ...move.set, status: targetOf(move.from, move.events), updatedAt: now },
    };
    if (move.inc) update.$inc = move.inc;
    for (let i = 0; i < ids.length; i += IDS_PER_UPDATE) {
      const part = ids.slice(i, i + IDS_PER_UPDATE);
      if (part.length === 1) {
        singles.push({
          updateOne: { filter: { ...narrow, _id: part[0], status: move.from } as Filter<T>, update },
        });
      } else {
        many.push({
          updateMany: { filter: { ...narrow, _id: { $in: part }, status: move.from } as Filter<T>, update },
        });
      }
    }
  }
  // Each updateMany is a command of its own; single updates share commands (`bulkWriteInChunks.ts`).
  const a = singles.length > 0 ? await bulkWriteInChunks(collection, singles) : null;
  const b = many.length > 0 ? await bulkWriteInChunks(collection, many, 1) : null;
  // Listed even when a move did not match: the next compute re-reads them either way.
  await journal.record(moves.map((m) => m.id));
  return (a?.modified ?? 0) + (b?.modified ?? 0);
}
