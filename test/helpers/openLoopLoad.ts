/**
 * An open-loop load generator: requests leave on a fixed schedule whether or not earlier ones have
 * answered (a slow server does not slow the offered load down), over node http keep-alive. Each
 * latency is measured from the request's scheduled time, so queueing in the client counts too
 * (no coordinated omission).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  sent: number;
  ok: number;
  errors: string[];
  /** Milliseconds from scheduled send to the end of the answer, sorted ascending. */
  latencies: number[];
  /** Lateness of the generator itself (actual send − schedule), ms, sorted ascending: when it is
   * late, the machine (not the server) is the bottleneck and the latencies say little. */
  sendLags: number[];
  /** The latencies again, per kind of request (`kindOf`), sorted ascending. */
  byKind: Record<string, number[]>;
  durationMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runOpenLoop(options: {
  baseUrl: string;
  headers: Record<string, string>;
  ratePerSecond: number;
  durationSeconds: number;
  /** The path of the i-th request. */
  pathFor: (i: number) => string;
  /** Groups latencies for the per-kind figures; default: one group. */
  kindOf?: (path: string) => string;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const url = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const intervalMs = 1000 / options.ratePerSecond;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const result: LoadResult = {
    sent: 0,
    ok: 0,
    errors: [],
    latencies: [],
    sendLags: [],
    byKind: {},
    durationMs: 0,
  };
  const took = (path: string, ms: number) => {
    result.latencies.push(ms);
    (result.byKind[options.kindOf?.(path) ?? 'all'] ??= []).push(ms);
  };
  const inflight: Promise<void>[] = [];

  const fire = (i: number, scheduled: number) => {
    const path = options.pathFor(i);
    result.sent += 1;
    result.sendLags.push(performance.now() - scheduled);
    inflight.push(
      new Promise<void>((resolve) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path, method: 'GET', headers: options.headers, agent },
          (res) => {
            res.resume();
            res.once('end', () => {
              took(path, performance.now() - scheduled);
              if (res.statusCode === 200) result.ok += 1;
              else result.errors.push(`${path} → ${res.statusCode}`);
              resolve();
            });
            res.once('error', (error) => {
              result.errors.push(`${path} → ${error.message}`);
              took(path, performance.now() - scheduled);
              resolve();
            });
          },
        );
        // From the scheduled time, not the socket's: a request queued behind others times out too.
        const deadline = setTimeout(
          () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)),
          Math.max(0, scheduled + timeoutMs - performance.now()),
        );
        req.once('close', () => clearTimeout(deadline));
        req.once('error', (error) => {
          // A failed request counts at its full wait in the percentiles, never as a fast one.
          result.errors.push(`${path} → ${error.message}`);
          took(path, performance.now() - scheduled);
          resolve();
        });
        req.end();
      }),
    );
  };

  const start = performance.now() + 50;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next += 1;
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  result.durationMs = performance.now() - start;
  agent.destroy();
  result.latencies.sort((a, b) => a - b);
  result.sendLags.sort((a, b) => a - b);
  for (const list of Object.values(result.byKind)) list.sort((a, b) => a - b);
  return result;
}
