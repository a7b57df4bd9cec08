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

/** Writes the moves (conditional on `from`); returns how many candidates actually moved. */
export async function applyCandidateMoves<T extends StatusDoc>(
  collection: Collection<T>,
  moves: readonly CandidateMove[],
  now: Date,
): Promise<number> {
  const operations = moves.map((move): AnyBulkWriteOperation<T> => {
    const update: Record<string, unknown> = {
      $set: { ...move.set, status: targetOf(move.from, move.events), updatedAt: now },
    };
    if (move.inc) update.$inc = move.inc;
    const filter = { _id: move.id, status: move.from } as Filter<T>;
    return { updateOne: { filter, update } };
  });
  if (operations.length === 0) return 0;
  return (await bulkWriteInChunks(collection, operations)).modified;
}
