/**
 * Nothing the api answers waits on an outage. Each dependency fails on its own: the Redis
 * connection has no offline queue and a command timeout (`createFailFastRedis`), MongoDB operations
 * are not buffered and wait at most the server selection timeout (`connectMongo`), and both map to
 * 503 DEPENDENCY_UNAVAILABLE; routes that never touch Redis keep answering while it is down. No
 * up-front connection-state gate: the driver notices a server is back when an operation asks for
 * one, and a gate would keep every operation away until its next 10 s heartbeat. Whatever else is
 * slow is cut off by the request time limit here.
 */
import type { Response } from 'express';
import { ApiProblem, sendProblem, TIMED_OUT } from './problem.js';

export function hasTimedOut(res: Response): boolean {
  return res.locals[TIMED_OUT] === true;
}

/**
 * Answers 503 when the handler has not answered within `ms`. The handler is not cancelled (a write
 * in flight may still land): the problem says so, and a retry of our writes is safe (they are
 * conditional or idempotent). Returns a function that disarms the timer.
 */
export function armRequestTimeout(res: Response, ms: number, path: string): () => void {
  const timer = setTimeout(() => {
    if (res.headersSent) return;
    res.locals[TIMED_OUT] = true;
    sendProblem(
      res,
      new ApiProblem(
        503,
        'REQUEST_TIMEOUT',
        `no answer within ${ms} ms; the request may still complete, check before retrying`,
        { timeoutMs: ms },
      ),
      path,
    );
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
