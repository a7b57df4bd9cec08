import { describe, expect, it } from 'vitest';
import { formatMinor, timesMinor } from '../../../shared/domain/money.js';
import { savingsOf, sumKnown, tallyCandidates, type CandidateFacts } from '../../../shared/domain/savings.js';

const c = (
  status: CandidateFacts['status'],
  identifier = 'UL:SFDC',
  action: CandidateFacts['action'] = 'deactivate_user',
): CandidateFacts => ({
  identifier,
  status,
  action,
});

describe('savings', () => {
  it('when candidates are open or on their way, then they are reclaimable; rejected and cancelled ones are not', () => {
    const t = tallyCandidates(
      ['pending', 'ready', 'withdrawn', 'failed', 'reclaiming', 'frozen', 'rejected', 'cancelled'].map((s) =>
        c(s as CandidateFacts['status']),
      ),
    );
    expect(t.get('UL:SFDC')).toEqual({ reclaimable: 6, notFreeing: 0, reclaimed: 0, restored: 0 });
  });

  it('when a reclaim is undone, then its seat leaves the realized count and is counted as restored', () => {
    const before = tallyCandidates([c('reclaimed'), c('reclaimed')]);
    const after = tallyCandidates([c('reclaimed'), c('restored')]);
    expect(before.get('UL:SFDC')?.reclaimed).toBe(2);
    expect(after.get('UL:SFDC')).toEqual({ reclaimable: 0, notFreeing: 0, reclaimed: 1, restored: 1 });
  });

  it('when a package license holder is deactivated, then no seat is realized; when the assignment is removed, it is', () => {
    const t = tallyCandidates([
      c('reclaimed', 'PKG:SBQQ', 'deactivate_user'),
      c('reclaimed', 'PKG:dsfs', 'remove_assignment'),
      c('reclaimed', 'PSL:SalesforceCPQ_CPQStandardPerm', 'deactivate_user'),
      c('reclaimed', 'UL:SFDC', 'freeze_user'),
    ]);
    expect(t.get('PKG:SBQQ')?.reclaimed).toBe(0);
    expect(t.get('PKG:dsfs')?.reclaimed).toBe(1);
    expect(t.get('PSL:SalesforceCPQ_CPQStandardPerm')?.reclaimed).toBe(1);
    expect(t.get('UL:SFDC')?.reclaimed).toBe(0);
  });

  it('when an idle package license holder is to be deactivated or frozen, then the seat is not reclaimable but counted as not freeing', () => {
    const t = tallyCandidates([
      c('pending', 'PKG:SBQQ', 'deactivate_user'),
      c('ready', 'PKG:SBQQ', 'remove_assignment'),
      c('pending', 'UL:SFDC', 'freeze_user'),
    ]);
    expect(t.get('PKG:SBQQ')).toMatchObject({ reclaimable: 1, notFreeing: 1 });
    expect(t.get('UL:SFDC')).toMatchObject({ reclaimable: 0, notFreeing: 1 });
  });

  it('when 7 seats cost 150.00 a month, then the saving is 1050.00 a month and 12600.00 a year, in cents', () => {
    expect(savingsOf(7, 15_000)).toEqual({ monthlyMinor: 105_000, annualMinor: 1_260_000 });
    expect(formatMinor(105_000, 'EUR')).toBe('1050.00');
  });

  it('when no price is entered, then the saving is unknown rather than zero', () => {
    expect(savingsOf(7, null)).toBeNull();
    expect(sumKnown([null, null])).toBeNull();
    expect(sumKnown([null, 5, 7])).toBe(12);
  });

  it('when amounts are formatted, then the currency minor unit decides the decimals and cents never drift', () => {
    expect(formatMinor(500, 'JPY')).toBe('500');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(1_234_567, 'KWD')).toBe('1234.567');
    // 0.1 + 0.2 style error cannot appear: 3 × 10 cents is exactly 30 cents.
    expect(timesMinor(3, 10)).toBe(30);
    expect(() => timesMinor(2 ** 52, 4)).toThrow(/safe integer/);
  });
});
