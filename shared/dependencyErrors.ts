/**
 * Recognizes an error that says "Redis or MongoDB cannot be reached right now" (as opposed to a
 * bug, or a refusal by the server), so the api can answer 503 and the caller can retry later.
 * Only our own clients' connection errors qualify: a Salesforce connection error is never one.
 */
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { SeatwiseError } from './errors.js';

export type Dependency = 'redis' | 'mongodb';

/** The MongoDB driver's "no server to talk to" (network errors include a pool cleared by one). */
const MONGO_UNAVAILABLE = [
  MongoNetworkError,
  MongoServerSelectionError,
  MongoNotConnectedError,
  MongoTopologyClosedError,
];
/** mongoose's own names for the same. */
const MONGOOSE_UNAVAILABLE = new Set(['MongooseServerSelectionError']);

/** ioredis's messages when a command cannot be sent or answered (offline queue off, timeouts). */
const REDIS_UNAVAILABLE = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
];

/** Socket errors a client library can let through unwrapped when its server goes away. */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTCONN']);

/**
 * The MongoDB driver lets a write on a socket the server already closed (`writeAfterFIN`) reject
 * with Node's bare EPIPE. Such an error carries nothing but its stack to say whose socket it was.
 */
function socketErrorOf(e: Error): Dependency | null {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !SOCKET_ERRORS.has(code)) return null;
  if (/node_modules[\\/]mongodb[\\/]/.test(e.stack ?? '')) return 'mongodb';
  if (/node_modules[\\/]ioredis[\\/]/.test(e.stack ?? '')) return 'redis';
  return null;
}

/** A Redis or MongoDB outage behind `error` (or its causes), or null. */
export function unavailableDependency(error: unknown): Dependency | null {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SeatwiseError && e.code === 'SERVICE_UNAVAILABLE') {
      const service = e.context.service;
      if (service === 'redis' || service === 'mongodb') return service;
    }
    if (!(e instanceof Error)) return null;
    if (MONGO_UNAVAILABLE.some((type) => e instanceof type) || MONGOOSE_UNAVAILABLE.has(e.name)) {
      return 'mongodb';
    }
    if (e.name === 'MongooseError' && /buffering timed out/.test(e.message)) return 'mongodb';
    if (e.name === 'MaxRetriesPerRequestError') return 'redis';
    const socket = socketErrorOf(e);
    if (socket) return socket;
    if (REDIS_UNAVAILABLE.some((m) => e instanceof Error && e.message.startsWith(m))) return 'redis';
  }
  return null;
}
