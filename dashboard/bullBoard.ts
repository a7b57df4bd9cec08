/**
 * Bull Board at `/admin/queues`, behind the api's tokens: operators and integrators get a
 * read-only board (and no non-GET request passes), admins the full one; viewers none.
 *
 * Browsers log in once on the admin pages (a token form → a session cookie, see
 * api/http/browserSession.ts); the session's actor is what the board sees. No token is ever taken
 * from a URL. A bearer header works too (curl, tools). A browser that opens the board without a
 * session is sent to the login form.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { RedisConnection } from '../shared/redis.js';
import { actorForToken, bearerOf, type Actor } from '../api/http/auth.js';
import { sessionActorOf } from '../api/http/browserSession.js';
import { ApiProblem, sendProblem } from '../api/http/problem.js';
import type { ApiTokenEntry, Role } from '../shared/config.js';
import { QUEUE_NAMES } from '../shared/queues.js';
import { jobLabel, type ProfileNames } from './profileNames.js';

export const BOARD_PATH = '/admin/queues';
const BOARD_ROLES: readonly Role[] = ['admin', 'integrator', 'operator'];

export interface BullBoardMount {
  path: string;
  handler: RequestHandler;
  close(): Promise<void>;
}

/** The bearer header's actor, else the browser session's. */
function actorOf(req: Request, tokens: readonly ApiTokenEntry[]): Actor | null {
  const bearer = bearerOf(req.header('authorization'));
  if (bearer) return actorForToken(bearer, tokens);
  return sessionActorOf(req);
}

const wantsPage = (req: Request) =>
  req.method === 'GET' && (req.header('accept') ?? '').includes('text/html');

function board(queues: Queue[], readOnlyMode: boolean, profileNames: ProfileNames | null): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BOARD_PATH);
  const queueAdapters = queues.map((q) => {
    const queueAdapter = new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode });
    if (profileNames)
      queueAdapter.setFormatter('name', (job: unknown) => jobLabel(job as object, profileNames));
    return queueAdapter;
  });
  createBullBoard({
    queues: queueAdapters,
    // @bull-board/express pins its own copy of @bull-board/api (9.10.1 vs 9.10.2): same shape.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: readOnlyMode ? 'seatwise (read-only)' : 'seatwise' } },
  });
  return adapter.getRouter() as Router;
}

export function createBullBoardMount(options: {
  connection: RedisConnection;
  prefix: string;
  tokens: readonly ApiTokenEntry[];
  /** Labels jobs with their profile's display name (the api passes one; tests may not). */
  profileNames?: ProfileNames;
}): BullBoardMount {
  const profileNames = options.profileNames ?? null;
  const queues = Object.values(QUEUE_NAMES).map(
    (name) => new Queue(name, { connection: options.connection, prefix: options.prefix }),
  );
  const full = board(queues, false, profileNames);
  const readOnly = board(queues, true, profileNames);
  const router = express.Router();

  router.use((req, res, next) => {
    const actor = actorOf(req, options.tokens);
    if (!actor) {
      if (wantsPage(req)) {
        res.redirect(303, '/admin/');
        return;
      }
      sendProblem(res, new ApiProblem(401, 'UNAUTHENTICATED', 'log in on /admin/ or send a bearer token'));
      return;
    }
    if (!BOARD_ROLES.includes(actor.role)) {
      sendProblem(res, new ApiProblem(403, 'FORBIDDEN', `role ${actor.role} may not see the queues`));
      return;
    }
    if (actor.role !== 'admin' && req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, new ApiProblem(403, 'FORBIDDEN', 'the queue board is read-only below admin'));
      return;
    }
    const serve = () => (actor.role === 'admin' ? full : readOnly)(req, res, next);
    if (!profileNames) {
      serve();
      return;
    }
    // A failed reload keeps the previous names: labels are a convenience, the board must still load.
    profileNames.refreshIfStale().then(serve, serve);
  });

  return {
    path: BOARD_PATH,
    handler: router,
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
