import { describe, expect, it } from 'vitest';
import { canMove, initialStatus } from '../../../shared/domain/candidateLifecycle.js';
import { CANDIDATE_STATUSES } from '../../../shared/db/models/removalCandidate.model.js';

describe('candidate lifecycle', () => {
  it('when a candidate is approved and reclaimed, then each step is legal', () => {
    expect(canMove('pending', 'ready')).toBe(true);
    expect(canMove('ready', 'reclaiming')).toBe(true);
    expect(canMove('reclaiming', 'reclaimed')).toBe(true);
    expect(canMove('reclaiming', 'failed')).toBe(true);
  });

  it('when a candidate is pending, then it cannot skip approval straight to reclaiming', () => {
    expect(canMove('pending', 'reclaiming')).toBe(false);
  });

  it('when a candidate is reclaimed or rejected, then no move leaves it', () => {
    for (const to of CANDIDATE_STATUSES) {
      expect(canMove('reclaimed', to)).toBe(false);
      expect(canMove('rejected', to)).toBe(false);
    }
  });

  it('when a cancelled candidate matches again, then it reopens; a reclaiming one cannot be cancelled', () => {
    expect(canMove('cancelled', 'pending')).toBe(true);
    expect(canMove('reclaiming', 'cancelled')).toBe(false);
  });

  it('when a rule requires approval, then new candidates start pending, else ready', () => {
    expect(initialStatus(true)).toBe('pending');
    expect(initialStatus(false)).toBe('ready');
  });
});
