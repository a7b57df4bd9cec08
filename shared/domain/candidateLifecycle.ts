/**
 * The legal moves of a removal candidate:
 * pending → ready (approved) | rejected | cancelled;
 * ready → reclaiming (intent recorded) | cancelled | rejected;
 * reclaiming → reclaimed | failed | ready (the call never reached Salesforce);
 * failed → ready (retry approved) | rejected | cancelled;
 * cancelled → pending | ready (matched again by a later computation).
 * reclaimed and rejected are final: a recomputation never reopens them.
 */
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';

const MOVES: Readonly<Record<CandidateStatus, readonly CandidateStatus[]>> = {
  pending: ['ready', 'rejected', 'cancelled'],
  ready: ['reclaiming', 'cancelled', 'rejected'],
  reclaiming: ['reclaimed', 'failed', 'ready'],
  reclaimed: [],
  rejected: [],
  failed: ['ready', 'rejected', 'cancelled'],
  cancelled: ['pending', 'ready'],
};

export function canMove(from: CandidateStatus, to: CandidateStatus): boolean {
  return MOVES[from].includes(to);
}

export function nextStatesOf(from: CandidateStatus): readonly CandidateStatus[] {
  return MOVES[from];
}

/** Statuses a recomputation may retire when the subscription no longer matches. */
export const RETIRABLE_STATUSES: readonly CandidateStatus[] = ['pending', 'ready'];

/** Statuses a recomputation leaves alone whatever it finds. */
export const SETTLED_STATUSES: readonly CandidateStatus[] = ['reclaiming', 'reclaimed', 'rejected', 'failed'];

/** The status a newly matched (or re-matched) candidate starts in. */
export function initialStatus(requiresApproval: boolean): CandidateStatus {
  return requiresApproval ? 'pending' : 'ready';
}
