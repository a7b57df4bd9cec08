/**
 * What every worker process must agree on for one org, kept in Redis under
 * `${prefix}:sf:<orgId>:…`: the latest API usage, in-flight budget reservations, the
 * "paused until" instant, the concurrency slots, and the pace of its Bulk jobs (`bulkPace.ts`).
 * Reservations and slots are leases with an expiry, so a killed process cannot hold them for ever.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis.js';
import { blendPace, type BulkPace } from './bulkPace.js';
import type { ApiUsage } from './salesforceClient.js';

const USAGE_TTL_MS = 2 * 24 * 3600 * 1000;
/** A pace unseen this long is forgotten: the org may have changed since. */
const PACE_TTL_MS = 30 * 24 * 3600 * 1000;
/** A header older than this may lower `used` (the allowance is a rolling 24 h); newer ones only raise it. */
const USAGE_MONOTONIC_MS = 60_000;

/** KEYS usage, inflight; ARGV now, share, member, leaseUntil → {granted, used, max, budget} */
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local max = tonumber(redis.call('HGET', KEYS[1], 'max') or '')
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0') or 0
local inflight = redis.call('ZCARD', KEYS[2])
local budget = -1
if max then
  budget = math.floor(max * tonumber(ARGV[2]) + 1e-9)
  if used + inflight >= budget then return {0, used, max, budget} end
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ${USAGE_TTL_MS})
return {1, used, max or -1, budget}
`;

/** KEYS usage, inflight; ARGV member, used|-1, max, now */
const SETTLE = `
redis.call('ZREM', KEYS[2], ARGV[1])
local used = tonumber(ARGV[2])
if used >= 0 then
  local current = tonumber(redis.call('HGET', KEYS[1], 'used') or '-1') or -1
  local seen = tonumber(redis.call('HGET', KEYS[1], 'seenAt') or '0') or 0
  if used >= current or tonumber(ARGV[4]) - seen > ${USAGE_MONOTONIC_MS} then
    redis.call('HSET', KEYS[1], 'used', ARGV[2], 'max', ARGV[3], 'seenAt', ARGV[4])
  end
  redis.call('PEXPIRE', KEYS[1], ${USAGE_TTL_MS})
end
return 1
`;

/** KEYS slots; ARGV now, cap, member, leaseUntil → 1 when a slot was taken */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]) - tonumber(ARGV[1]) + 1000)
  return 1
end
return 0
`;

/** KEYS slots, inflight; ARGV slot, reservation, leaseUntil, now: extends leases still held, never revives one */
const RENEW = `
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[2])
local keep = tonumber(ARGV[3]) - tonumber(ARGV[4]) + 1000
if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
return 1
`;

/** KEYS paused; ARGV until → keeps the later of the stored and the new instant */
const PAUSE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
end
return 1
`;

export type Reservation =
  { granted: true; member: string } | { granted: false; used: number; max: number; budget: number };

export class OrgRedisState {
  private readonly keys: { usage: string; inflight: string; paused: string; slots: string; pace: string };

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    readonly orgId: string,
  ) {
    const base = `${prefix}:sf:${orgId}`;
    this.keys = {
      usage: `${base}:usage`,
      inflight: `${base}:inflight`,
      paused: `${base}:pausedUntil`,
      slots: `${base}:slots`,
      pace: `${base}:bulkPace`,
    };
  }

  /** Claims one call of the budget; refused when used + in flight reached `share` of the max. */
  async reserve(share: number, leaseMs: number): Promise<Reservation> {
    const now = Date.now();
    const member = randomUUID();
    const [granted, used, max, budget] = (await this.redis.eval(
      RESERVE,
      2,
      this.keys.usage,
      this.keys.inflight,
      now,
      share,
      member,
      now + leaseMs,
    )) as [number, number, number, number];
    return granted === 1 ? { granted: true, member } : { granted: false, used, max, budget };
  }

  /** Ends a reservation and records the usage the response reported (after the call). */
  async settle(member: string, usage: { used: number; max: number } | null): Promise<void> {
    await this.redis.eval(
      SETTLE,
      2,
      this.keys.usage,
      this.keys.inflight,
      member,
      usage?.used ?? -1,
      usage?.max ?? -1,
      Date.now(),
    );
  }

  async usage(): Promise<ApiUsage | null> {
    const hash = await this.redis.hgetall(this.keys.usage);
    if (hash.used === undefined || hash.max === undefined) return null;
    return { used: Number(hash.used), max: Number(hash.max), seenAt: new Date(Number(hash.seenAt ?? 0)) };
  }

  async tryAcquireSlot(cap: number, leaseMs: number): Promise<string | null> {
    const now = Date.now();
    const member = randomUUID();
    const taken = await this.redis.eval(ACQUIRE, 1, this.keys.slots, now, cap, member, now + leaseMs);
    return taken === 1 ? member : null;
  }

  async releaseSlot(member: string): Promise<void> {
    await this.redis.zrem(this.keys.slots, member);
  }

  /** Keeps a slot and a reservation alive while a long response body is still being read. */
  async renewLeases(slot: string, reservation: string, leaseMs: number): Promise<void> {
    const now = Date.now();
    await this.redis.eval(
      RENEW,
      2,
      this.keys.slots,
      this.keys.inflight,
      slot,
      reservation,
      now + leaseMs,
      now,
    );
  }

  async pausedUntil(): Promise<number> {
    const value = await this.redis.get(this.keys.paused);
    return value === null ? 0 : Number(value);
  }

  async pauseUntil(until: number): Promise<void> {
    await this.redis.eval(PAUSE, 1, this.keys.paused, Math.ceil(until));
  }

  async clearPause(): Promise<void> {
    await this.redis.del(this.keys.paused);
  }

  /** The org's Bulk job pace, or null when none was learned (or Redis holds something else). */
  async bulkPace(): Promise<BulkPace | null> {
    const hash = await this.redis.hgetall(this.keys.pace);
    const queueMs = Number(hash.queueMs);
    const positive = (value: string | undefined): number | null => {
      const n = Number(value);
      return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : null;
    };
    if (!Number.isFinite(queueMs) || queueMs < 0) return null;
    return { queueMs, msPerRow: positive(hash.msPerRow), floorMs: positive(hash.floorMs) };
  }

  /** Moves the remembered pace towards what a finished job showed (two workers racing: either wins). */
  async rememberBulkPace(observed: BulkPace): Promise<void> {
    const pace = blendPace(await this.bulkPace(), observed);
    await this.redis
      .multi()
      .hset(this.keys.pace, {
        queueMs: pace.queueMs,
        msPerRow: pace.msPerRow ?? '',
        floorMs: pace.floorMs ?? '',
      })
      .pexpire(this.keys.pace, PACE_TTL_MS)
      .exec();
  }
}
