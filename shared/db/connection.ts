import mongoose, { type Connection } from 'mongoose';
import { ServiceUnavailableError } from '../errors.js';
import { redactUrl, withTimeout } from '../redis.js';

/**
 * One mongoose connection per process. `autoIndex` is off: indexes are part of correctness here
 * (uniqueness), so each process creates them once at start, and awaits them, in `ensureIndexes`.
 */
export async function connectMongo(url: string, timeoutMs = 5_000): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: timeoutMs,
    autoIndex: false,
    maxPoolSize: 20,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new ServiceUnavailableError('mongodb', `${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return connection;
}

export async function pingMongo(connection: Connection, timeoutMs: number): Promise<void> {
  const db = connection.db;
  if (!db || connection.readyState !== 1) throw new Error('not connected');
  await withTimeout(db.admin().ping(), timeoutMs, 'mongodb ping');
}
