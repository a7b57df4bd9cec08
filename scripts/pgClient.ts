/**
 * The few PostgreSQL calls the local stack needs (does a server answer; create and drop the
 * databases FerretDB runs on), over node-postgres. One connection per query: these run a handful
 * of times per test run, so a pool would only keep idle connections open.
 */
import pg from 'pg';

export class PgError extends Error {
  constructor(
    message: string,
    /** SQLSTATE when the server sent one (e.g. 28P01 bad password, 3D000 no such database). */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PgError';
  }
}

/** The URL with its password replaced, for logs and errors. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Every value as the server's text: callers compare names and counts, never compute with them. */
const TEXT_ONLY = { getTypeParser: () => (value: string) => value };

/** Runs one simple-protocol query; returns the rows of its last result as text (NULL as null). */
export async function pgQuery(url: string, sql: string, timeoutMs = 10_000): Promise<(string | null)[][]> {
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new PgError(`not a postgres:// URL: ${redactPostgresUrl(url)}`, undefined);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    types: TEXT_ONLY,
  });
  // An error after connect (the server going away) must not crash the process: the query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<(string | null)[]>({ text: sql, rowMode: 'array' });
    const last = Array.isArray(result) ? (result.at(-1) as pg.QueryArrayResult<(string | null)[]>) : result;
    return last.rows;
  } catch (error) {
    throw asPgError(error, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function asPgError(error: unknown, url: string): PgError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new PgError(`PostgreSQL at ${redactPostgresUrl(url)}: ${message}`, sqlState);
}
