import { describe, expect, it } from 'vitest';
import { releasedOnDeactivation, seatCounts, seatFreedBy } from '../../../shared/domain/seatCounting.js';

describe('which seats count', () => {
  it('when a CPQ, Billing or Advanced Approvals permission set license user is deactivated, then the seat stops counting', () => {
    for (const id of [
      'PSL:SalesforceCPQ_CPQStandardPerm',
      'PSL:SalesforceCPQ_CPQAAPerm',
      'PSL:SalesforceBilling_BillingPerm',
      'PSL:AdvancedApprovals',
    ]) {
      expect(releasedOnDeactivation(id)).toBe(true);
      expect(seatCounts(id, false)).toBe(false);
      expect(seatCounts(id, true)).toBe(true);
    }
  });

  it('when a package license or another permission set license user is deactivated, then the seat keeps counting', () => {
    expect(seatCounts('PKG:SBQQ', false)).toBe(true);
    expect(seatCounts('PSL:LightningConsoleUser', false)).toBe(true);
    expect(releasedOnDeactivation('PKG:SBQQ')).toBe(false);
  });

  it('when a user license user is deactivated, then the seat stops counting', () => {
    expect(seatCounts('UL:SFDC', false)).toBe(false);
  });

  it('when a reclaim deactivates, then only seats that stop counting are freed; removing the assignment frees any; freezing none', () => {
    expect(seatFreedBy('UL:SFDC', 'deactivate_user')).toBe(true);
    expect(seatFreedBy('PSL:SalesforceCPQ_CPQStandardPerm', 'deactivate_user')).toBe(true);
    expect(seatFreedBy('PKG:SBQQ', 'deactivate_user')).toBe(false);
    expect(seatFreedBy('PKG:SBQQ', 'remove_assignment')).toBe(true);
    expect(seatFreedBy('UL:SFDC', 'freeze_user')).toBe(false);
  });
});
