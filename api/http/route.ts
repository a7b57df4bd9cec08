/**
 * The route table the app is built from: every api route is a {@link RouteDef}, so the auth table
 * test, the fuzz test and the OpenAPI document all see exactly the routes the app serves.
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Role } from '../../shared/config.js';
import type { Actor } from './auth.js';
import { authenticate, authorize } from './auth.js';
import { sessionActorOf } from './browserSession.js';
import type { ApiTokenEntry } from '../../shared/config.js';
import { armRequestTimeout, hasTimedOut } from './failFast.js';
import { ApiProblem, fieldsOf, validationProblem } from './problem.js';
import type { ReadTopic } from '../../shared/pipeline/readGenerations.js';
import type { ReadCache } from './readCache.js';

const NO_BODY = z.object({}).strict();

/** `list`: the profiles list; a topic: that part of the profile in `:id` (readGenerations.ts). */
export type CacheKind = 'list' | ReadTopic;

export interface WriteChanges {
  hard: readonly ReadTopic[];
  soft: readonly ReadTopic[];
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  /** Extra response headers (the OAuth start's browser-binding cookie). */
  headers?: Record<string, string>;
  /**
   * Writes the answer itself (CSV exports), after every check that may refuse the request has run.
   * A failure before the first byte is an ordinary problem; after it, the connection is cut so a
   * client never takes a truncated export for a whole one.
   */
  stream?: (res: Response) => Promise<void>;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: HttpMethod;
  /** Express path, e.g. `/api/v1/profiles/:id`. */
  path: string;
  summary: string;
  tag: string;
  roles: readonly Role[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response?: z.ZodType;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** Media types of a streamed success answer (e.g. `text/csv`), besides or instead of JSON. */
  streams?: readonly string[];
  /** Time limit of this route when longer than the api's default (waits on a busy lock). */
  timeoutMs?: number;
  /** JSON body limit of this route when it needs more than the api's `API_BODY_LIMIT`. */
  bodyLimit?: `${number}kb` | `${number}mb`;
  /**
   * A read whose answer the read cache may serve again (./readCache.ts), and what it shows: a topic
   * of the profile in `:id`, or `list` for the profiles list; a function when the query decides (a
   * format that streams is never cached). Only for answers that are a JSON body.
   */
  cache?: CacheKind | ((query: Q) => CacheKind | null);
  /**
   * What of its profile a write changes, for the read cache: `hard` topics are fetched fresh by the
   * next read, `soft` ones within the cache's time limit. Absent: everything, hard.
   */
  changes?: WriteChanges;
  handle(ctx: RouteContext<P, Q, B>): Promise<RouteResult>;
}

/** Keeps each route's parameter types while the table holds them side by side. */
export function defineRoute<P, Q, B>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

function parseOr<T>(schema: z.ZodType<T> | undefined, value: unknown, location: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw validationProblem(fieldsOf(parsed.error, location));
  }
  return parsed.data;
}

export interface HandlerOptions {
  tokens: readonly ApiTokenEntry[];
  defaultTimeoutMs: number;
  readCache: ReadCache;
  /** Told after every write request that reached its handler, done or not (the read cache's counters). */
  wrote(profileId: string | null, changes: WriteChanges | undefined): Promise<void>;
}

export function handlerFor(route: RouteDef, options: HandlerOptions): RequestHandler {
  return async (req: Request, res: Response) => {
    const disarm = armRequestTimeout(res, Math.max(route.timeoutMs ?? 0, options.defaultTimeoutMs), req.path);
    try {
      await answer(route, options, req, res);
    } finally {
      disarm();
    }
  };
}

const PROFILE_PATH = '/api/v1/profiles/:id';

/** The profile a route's `:id` names, when the route is one of a profile's. */
function profileIdOf(route: RouteDef, params: unknown): string | null {
  if (route.path !== PROFILE_PATH && !route.path.startsWith(`${PROFILE_PATH}/`)) return null;
  const id = (params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

async function answer(route: RouteDef, options: HandlerOptions, req: Request, res: Response): Promise<void> {
  // A bearer header wins; without one, the admin pages' session cookie (origin-checked upstream).
  const actor = sessionActorOf(req) ?? authenticate(req.header('authorization'), options.tokens);
  authorize(actor, route.roles);
  const params = parseOr(route.params, req.params, 'params');
  const query = parseOr(route.query, { ...(req.query as object) }, 'query');
  let body: unknown = undefined;
  // Actions without a body (validate, publish, …) still refuse fields they would silently ignore.
  const bodySchema = route.body ?? (route.method === 'post' ? NO_BODY : undefined);
  if (bodySchema) {
    const hasBody = Number(req.header('content-length') ?? 0) > 0 || req.header('transfer-encoding');
    if (hasBody && !req.is('application/json')) {
      throw new ApiProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', {
        errors: [{ field: 'body', message: 'must be application/json' }],
      });
    }
    body = parseOr(bodySchema, req.body ?? {}, 'body');
  }
  const cache = typeof route.cache === 'function' ? route.cache(query) : route.cache;
  if (cache) {
    const profileId = profileIdOf(route, params);
    const scope = cache !== 'list' && profileId ? { profileId, topic: cache } : 'list';
    const json = await options.readCache.answer(`${actor.role} ${req.originalUrl}`, scope, async () => {
      const result = await route.handle({ params, query, body, actor });
      return result.body;
    });
    if (hasTimedOut(res)) return;
    res
      .status(route.status ?? 200)
      .type('json')
      .send(json);
    return;
  }
  if (route.method === 'get') {
    await send(route, res, await route.handle({ params, query, body, actor }));
    return;
  }
  // The counters move before the answer leaves: a read the caller sends next must not be served
  // from before its own write.
  let result: RouteResult;
  try {
    result = await route.handle({ params, query, body, actor });
  } finally {
    await options.wrote(profileIdOf(route, params), route.changes);
  }
  await send(route, res, result);
}

async function send(route: RouteDef, res: Response, result: RouteResult): Promise<void> {
  // The time limit answered already (503 REQUEST_TIMEOUT): this answer has nobody to go to.
  if (hasTimedOut(res)) return;
  const status = result.status ?? route.status ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.stream) {
    res.status(status);
    // A failure after the first byte reaches the problem middleware too, which cuts the connection.
    await result.stream(res);
    return;
  }
  if (result.body === undefined) res.status(status).end();
  else res.status(status).json(result.body);
}
