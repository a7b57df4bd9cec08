import { describe, expect, it } from 'vitest';
import { billingWindow } from '../../../shared/domain/billingWindow.js';

const d = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const win = (startDate: string, frequency: string, asOf: string, endDate: string | null = null) => {
  const w = billingWindow({
    startDate: d(startDate),
    endDate: endDate ? d(endDate) : null,
    frequency,
    asOf: new Date(asOf),
  });
  return (
    w && {
      start: w.start.toISOString().slice(0, 10),
      end: w.end?.toISOString().slice(0, 10) ?? null,
      ended: w.contractEnded,
    }
  );
};

describe('billing window', () => {
  it('when the frequency is Monthly, then the window is the month counted from the start date that holds today, not the calendar month', () => {
    expect(win('2026-01-15', 'Monthly', '2026-11-29T10:00:00Z', '2027-01-14')).toEqual({
      start: '2026-11-15',
      end: '2026-12-15',
      ended: false,
    });
  });

  it('when the contract started on the 31st, then shorter months clamp the day and the next month returns to the 31st', () => {
    expect(win('2026-01-31', 'Monthly', '2026-03-01T00:00:00Z')).toEqual({
      start: '2026-02-28',
      end: '2026-03-31',
      ended: false,
    });
    expect(win('2026-01-31', 'Monthly', '2026-02-27T23:59:59Z')?.start).toBe('2026-01-31');
  });

  it('when the frequency is Yearly, Quarterly, Weekly, Fortnightly or Daily, then the window has that length from the start', () => {
    expect(win('2025-03-01', 'Yearly', '2026-11-29T00:00:00Z')).toMatchObject({
      start: '2026-03-01',
      end: '2027-03-01',
    });
    expect(win('2026-01-01', 'Quarterly', '2026-11-29T00:00:00Z')).toMatchObject({
      start: '2026-10-01',
      end: '2027-01-01',
    });
    expect(win('2026-11-02', 'Weekly', '2026-11-29T00:00:00Z')).toMatchObject({
      start: '2026-11-23',
      end: '2026-11-30',
    });
    expect(win('2026-11-02', 'Fortnightly', '2026-11-29T00:00:00Z')).toMatchObject({
      start: '2026-11-16',
      end: '2026-11-30',
    });
    expect(win('2026-11-02', 'Daily', '2026-11-29T13:00:00Z')).toMatchObject({
      start: '2026-11-29',
      end: '2026-11-30',
    });
  });

  it('when the window starts exactly now, then now belongs to the new window (half-open)', () => {
    expect(win('2026-01-15', 'Monthly', '2026-11-15T00:00:00Z')?.start).toBe('2026-11-15');
  });

  it('when the contract ends inside a window, then the window ends with the contract (the day after EndDate)', () => {
    expect(win('2026-01-15', 'Monthly', '2026-12-20T00:00:00Z', '2026-12-31')).toEqual({
      start: '2026-12-15',
      end: '2027-01-01',
      ended: false,
    });
  });

  it('when the contract has ended, then the last window is given and marked ended', () => {
    expect(win('2026-01-15', 'Monthly', '2027-03-01T00:00:00Z', '2026-12-31')).toEqual({
      start: '2026-12-15',
      end: '2027-01-01',
      ended: true,
    });
  });

  it('when the frequency is Once, then the window is the whole contract', () => {
    expect(win('2026-01-01', 'Once', '2026-11-29T00:00:00Z', '2026-12-31')).toEqual({
      start: '2026-01-01',
      end: '2027-01-01',
      ended: false,
    });
    expect(win('2026-01-01', 'Once', '2026-11-29T00:00:00Z')).toEqual({
      start: '2026-01-01',
      end: null,
      ended: false,
    });
  });

  it('when there is no start date or the frequency is unknown, then there is no window', () => {
    expect(
      billingWindow({ startDate: null, endDate: null, frequency: 'Monthly', asOf: new Date() }),
    ).toBeNull();
    expect(win('2026-01-01', 'Hourly', '2026-11-29T00:00:00Z')).toBeNull();
  });

  it('when today is before the start date, then the first window is given', () => {
    expect(win('2026-12-10', 'Monthly', '2026-11-29T00:00:00Z')).toMatchObject({
      start: '2026-12-10',
      end: '2027-01-10',
    });
  });
});
