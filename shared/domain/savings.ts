/**
 * Savings from reclaiming seats, counted from removal candidates.
 *
 * - Reclaimable: candidates whose seat is still held and may yet come back — open (pending, ready,
 *   withdrawn, failed) or on their way (reclaiming, frozen: a frozen user still holds the seat) —
 *   under an action that gives the seat back when carried out (`seatFreedBy`). Open candidates whose
 *   action would not (a package seat of a user to deactivate, any freeze) are `notFreeing`: idle
 *   seats that need another action. Rejected and cancelled ones (spared users among them) are neither.
 * - Realized: candidates reclaimed to the end by an action that gives the seat back (a deactivated
 *   user's package license still counts: `seatFreedBy`). An undo moves them to `restored`, so the
 *   saving is lost again on the next count.
 * Potential = reclaimable × price, realized = realized seats × price; per month, and × 12 per year.
 */
import type { CandidateStatus } from '../db/models/removalCandidate.model.js';
import type { ReclaimAction } from '../db/models/reclamationRule.model.js';
import { OPEN_STATUSES } from './candidateLifecycle.js';
import { timesMinor } from './money.js';
import { seatFreedBy } from './seatCounting.js';

export const RECLAIMABLE_STATUSES: readonly CandidateStatus[] = [...OPEN_STATUSES, 'reclaiming', 'frozen'];

export interface CandidateFacts {
  identifier: string;
  status: CandidateStatus;
  action: ReclaimAction;
}

export interface CandidateTally {
  reclaimable: number;
  /** Open candidates whose rule's action would leave the seat counted. */
  notFreeing: number;
  /** Seats given back by finished reclaims. */
  reclaimed: number;
  /** Reclaims undone (restored): savings that were realized and lost again. */
  restored: number;
}

/** Per license identifier; identifiers without candidates are absent (read as all zero). */
export function tallyCandidates(candidates: Iterable<CandidateFacts>): Map<string, CandidateTally> {
  const tallies = new Map<string, CandidateTally>();
  for (const c of candidates) {
    let t = tallies.get(c.identifier);
    if (!t) {
      t = { reclaimable: 0, notFreeing: 0, reclaimed: 0, restored: 0 };
      tallies.set(c.identifier, t);
    }
    const frees = seatFreedBy(c.identifier, c.action);
    if (RECLAIMABLE_STATUSES.includes(c.status)) {
      if (frees) t.reclaimable += 1;
      else t.notFreeing += 1;
    } else if (c.status === 'reclaimed' && seatFreedBy(c.identifier, c.action)) t.reclaimed += 1;
    else if (c.status === 'restored') t.restored += 1;
  }
  return tallies;
}

export interface Savings {
  monthlyMinor: number;
  annualMinor: number;
}

/** `seats` at `priceMinor` per seat per month; null without a price (unknown is not zero). */
export function savingsOf(seats: number, priceMinor: number | null): Savings | null {
  if (priceMinor === null) return null;
  const monthlyMinor = timesMinor(seats, priceMinor);
  return { monthlyMinor, annualMinor: timesMinor(12, monthlyMinor) };
}

/** Sum of known amounts; null only when none is known. */
export function sumKnown(amounts: Iterable<number | null>): number | null {
  let total: number | null = null;
  for (const a of amounts) if (a !== null) total = (total ?? 0) + a;
  return total;
}
