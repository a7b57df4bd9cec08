import { describe, expect, it } from 'vitest';
import { compliancePosition } from '../../../shared/domain/compliance.js';

describe('compliance position', () => {
  it('when more seats are used than owned, then it is under-licensed and the true-up is the shortfall × price per month and × 12 per year', () => {
    const p = compliancePosition({ used: 112, owned: 100, priceMinor: 15_000 });
    expect(p).toEqual({
      status: 'under_licensed',
      difference: 12,
      shortfall: 12,
      unassigned: 0,
      trueUpMonthlyMinor: 180_000,
      trueUpAnnualMinor: 2_160_000,
    });
  });

  it('when fewer seats are used than owned, then it is over-licensed with no true-up and the unassigned seats counted', () => {
    const p = compliancePosition({ used: 80, owned: 100, priceMinor: 15_000 });
    expect(p.status).toBe('over_licensed');
    expect(p.difference).toBe(-20);
    expect(p.unassigned).toBe(20);
    expect(p.trueUpMonthlyMinor).toBe(0);
  });

  it('when used equals owned, then it is balanced', () => {
    expect(compliancePosition({ used: 5, owned: 5, priceMinor: 1 }).status).toBe('balanced');
  });

  it('when no price is entered, then the seats are still compared but the exposure is unknown, not zero', () => {
    const p = compliancePosition({ used: 3, owned: 1, priceMinor: null });
    expect(p.shortfall).toBe(2);
    expect(p.trueUpMonthlyMinor).toBeNull();
    expect(p.trueUpAnnualMinor).toBeNull();
  });

  it('when owned seats are not known, then the position is unknown', () => {
    expect(compliancePosition({ used: 3, owned: null, priceMinor: 100 }).status).toBe('unknown');
  });
});
