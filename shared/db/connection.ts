import mongoose, { type Connection } from 'mongoose';
import { ServiceUnavailableError } from '../errors.js';
import { redactUrl, withTimeout } from '../redis.js';

export interface FailFastMongoOptions {
  /**
   * The api's: an operation waits at most this long for a server, and is not buffered while the
   * connection is down, so a request answers 503 instead of waiting out mongoose's 10 s buffer.
   */
  selectionTimeoutMs?: number;
}

/**
 * One mongoose connection per process. `autoIndex` is off: indexes are part of correctness here
 * (uniqueness), so each process creates them once at start, and awaits them, in `ensureIndexes`.
 */
export async function connectMongo(
  url: string,
  timeoutMs = 5_000,
  options: FailFastMongoOptions = {},
): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  // A short selection timeout would also cut the first connect short: try again until `timeoutMs`.
  for (;;) {
    const connection = mongoose.createConnection(url, {
      serverSelectionTimeoutMS: Math.min(options.selectionTimeoutMs ?? timeoutMs, timeoutMs),
      autoIndex: false,
      maxPoolSize: 20,
      ...(options.selectionTimeoutMs === undefined ? {} : { bufferCommands: false }),
    });
    try {
      await connection.asPromise();
      return connection;
    } catch (error) {
      await connection.close().catch(() => undefined);
      if (Date.now() < deadline) continue;
      throw new ServiceUnavailableError('mongodb', `${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

export async function pingMongo(connection: Connection, timeoutMs: number): Promise<void> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) throw new Error('not connected');
  await withTimeout(db.admin().ping(), timeoutMs, 'mongodb ping');
}
