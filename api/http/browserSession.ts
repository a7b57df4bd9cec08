/**
 * Browser sessions for the admin pages and Bull Board. A browser cannot attach a bearer header to a
 * page it opens, so a person logs in once with a token (POSTed by a form, never in a URL) and gets a
 * cookie holding an opaque random session id. Redis keeps only the id's SHA-256 (a copy of Redis
 * does not yield a live session), the token's name and the token's configured SHA-256, with a TTL:
 * a session ends with its TTL, at logout, or as soon as its token is removed from `API_TOKENS`.
 * The role is always read from the current configuration, never from the session.
 *
 * Cookie: HttpOnly, SameSite=Strict, Path=/, Secure when the request came over https (or
 * PUBLIC_URL is https). A request carrying a bearer header ignores the cookie; a state-changing
 * request authenticated by the cookie must come from our own origin (Origin header checked).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RedisConnection } from '../../shared/redis.js';
import { z } from 'zod';
import type { ApiTokenEntry } from '../../shared/config.js';
import type { Actor } from './auth.js';
import { ApiProblem } from './problem.js';

export const SESSION_COOKIE = 'seatwise_session';

const storedSession = z.object({ name: z.string(), tokenSha256: z.string(), createdAt: z.string() });

export interface SessionStore {
  /** Starts a session for a token entry; returns the id the cookie carries. */
  create(entry: ApiTokenEntry): Promise<string>;
  /** The actor of a live session whose token is still configured, else null. */
  actorOf(sessionId: string): Promise<Actor | null>;
  destroy(sessionId: string): Promise<void>;
  readonly ttlSeconds: number;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export function createSessionStore(options: {
  redis: RedisConnection;
  prefix: string;
  ttlSeconds: number;
  tokens: readonly ApiTokenEntry[];
}): SessionStore {
  const key = (sessionId: string) => `${options.prefix}:admin-session:${digest(sessionId)}`;
  return {
    ttlSeconds: options.ttlSeconds,
    async create(entry) {
      const sessionId = randomBytes(32).toString('base64url');
      const value = { name: entry.name, tokenSha256: entry.sha256, createdAt: new Date().toISOString() };
      await options.redis.set(key(sessionId), JSON.stringify(value), 'EX', options.ttlSeconds);
      return sessionId;
    },
    async actorOf(sessionId) {
      const raw = await options.redis.get(key(sessionId));
      if (!raw) return null;
      const parsed = storedSession.safeParse(safeJson(raw));
      if (!parsed.success) return null;
      const entry = options.tokens.find(
        (t) => t.name === parsed.data.name && t.sha256 === parsed.data.tokenSha256,
      );
      return entry ? { name: entry.name, role: entry.role } : null;
    },
    async destroy(sessionId) {
      await options.redis.del(key(sessionId));
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

export function sessionIdOf(req: Request): string | null {
  const header = req.header('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      // Our ids are 43 base64url characters; anything else is not worth a Redis round trip.
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}

function isHttps(req: Request, publicUrl: string): boolean {
  return req.secure || publicUrl.startsWith('https://');
}

export function sessionCookie(req: Request, publicUrl: string, sessionId: string, maxAge: number): string {
  const secure = isHttps(req, publicUrl) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}

export function clearedSessionCookie(req: Request, publicUrl: string): string {
  return sessionCookie(req, publicUrl, '', 0);
}

/**
 * True when the request's Origin is this server's own (the Host it was sent to, or PUBLIC_URL's
 * origin behind a proxy). Without a usable Origin (a page under `Referrer-Policy: no-referrer`
 * sends `null`), the browser's own `Sec-Fetch-Site: same-origin` counts, which no page can forge.
 * Otherwise refused: tools that send neither use a bearer header, which needs no cookie.
 */
export function fromOwnOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.header('origin');
  if (!origin || origin === 'null') return req.header('sec-fetch-site') === 'same-origin';
  const own = new Set([new URL(publicUrl).origin]);
  const host = req.header('host');
  if (host) {
    own.add(`http://${host}`);
    own.add(`https://${host}`);
  }
  return own.has(origin);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessionActors = new WeakMap<Request, Actor>();

/** The actor a session cookie authenticated for this request (never set when a bearer header is sent). */
export function sessionActorOf(req: Request): Actor | null {
  return sessionActors.get(req) ?? null;
}

/**
 * Resolves the session cookie, when the request has one and no bearer header, and refuses a
 * state-changing request it authenticates unless it comes from our own origin.
 */
export function sessionMiddleware(store: SessionStore, publicUrl: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.header('authorization')) {
      next();
      return;
    }
    const sessionId = sessionIdOf(req);
    if (!sessionId) {
      next();
      return;
    }
    store.actorOf(sessionId).then(
      (actor) => {
        if (!actor) {
          next();
          return;
        }
        if (!SAFE_METHODS.has(req.method) && !fromOwnOrigin(req, publicUrl)) {
          next(
            new ApiProblem(
              403,
              'ORIGIN_REFUSED',
              'a request authenticated by the session cookie must come from this site',
            ),
          );
          return;
        }
        sessionActors.set(req, actor);
        next();
      },
      () => {
        next(new ApiProblem(503, 'SESSION_STORE_UNAVAILABLE', 'the session store (Redis) did not answer'));
      },
    );
  };
}
