/**
 * A profile's cron schedule in words for the common shapes (daily, weekly, monthly at a time),
 * else the expression itself: the publish confirmation must say when runs happen.
 */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const num = (s: string, max: number): number | null =>
  /^\d+$/.test(s) && Number(s) <= max ? Number(s) : null;

export function describeSchedule(cron: string, timezone: string): string {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return `on the cron schedule ${cron} (${timezone})`;
  const [m, h, dom, month, dow] = parts as [string, string, string, string, string];
  const minute = num(m, 59);
  const hour = num(h, 23);
  if (minute === null || hour === null || month !== '*') return `on the cron schedule ${cron} (${timezone})`;
  const at = `at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} ${timezone}`;
  if (dom === '*' && dow === '*') return `every day ${at}`;
  const days = dow.split(',').map((d) => num(d, 7));
  if (dom === '*' && days.every((d) => d !== null))
    return `every ${days.map((d) => DAYS[(d ?? 0) % 7]).join(' and ')} ${at}`;
  const day = num(dom, 31);
  if (day !== null && dow === '*') return `on day ${day} of every month ${at}`;
  return `on the cron schedule ${cron} (${timezone})`;
}
