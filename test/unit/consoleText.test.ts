/** The console's own wording of figures: schedules, money from minor units, typed prices. */
import { describe, expect, it } from 'vitest';
import { describeSchedule } from '../../dashboard/console/src/schedule.js';
import { money, toMinor } from '../../dashboard/console/src/format.js';

describe('the schedule in words', () => {
  it('when the cron is daily, weekly or monthly at a time, then it is said in words with the timezone', () => {
    expect(describeSchedule('0 3 * * *', 'UTC')).toBe('every day at 03:00 UTC');
    expect(describeSchedule('30 22 * * 1,5', 'Europe/Berlin')).toBe(
      'every Monday and Friday at 22:30 Europe/Berlin',
    );
    expect(describeSchedule('15 6 1 * *', 'UTC')).toBe('on day 1 of every month at 06:15 UTC');
  });

  it('when the cron has any other shape, then the expression itself is shown', () => {
    expect(describeSchedule('*/15 * * * *', 'UTC')).toBe('on the cron schedule */15 * * * * (UTC)');
    expect(describeSchedule('0 3 * 1 *', 'UTC')).toBe('on the cron schedule 0 3 * 1 * (UTC)');
  });
});

describe('money and typed prices', () => {
  it('when an amount is in minor units, then it is shown in its currency, and unknown is a dash, not zero', () => {
    expect(money(45_000, 'EUR')).toBe('€450.00');
    expect(money(null, 'EUR')).toBe('—');
    expect(money(1_250, null)).toBe('12.50');
  });

  it('when a price is typed, then it becomes minor units; empty is no price and anything else is refused', () => {
    expect(toMinor('150')).toBe(15_000);
    expect(toMinor(' 12.5 ')).toBe(1_250);
    expect(toMinor('')).toBeNull();
    expect(toMinor('12.345')).toBeNaN();
    expect(toMinor('-1')).toBeNaN();
  });
});
