/**
 * Just enough of PostgreSQL's wire protocol (v3, simple query) to ask a server whether it answers
 * and to create and drop the databases FerretDB runs on, without a driver dependency or `psql`.
 * Authentication: trust, password, md5, SCRAM-SHA-256. TLS per `sslmode` (disable, allow/prefer,
 * require: unverified; verify-ca/verify-full: verified). One connection per query.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { connect as tlsConnect } from 'node:tls';

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

type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface PgTarget {
  host: string;
  port: number;
  /** Unix socket directory (libpq's `?host=/dir`), used instead of host when set. */
  socketDir: string | undefined;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: SslMode;
}

/** Reads `postgres://user:password@host:port/database?sslmode=…&host=/socket/dir` as libpq does. */
export function parsePostgresUrl(url: string): PgTarget {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new PgError(`not a postgres:// URL: ${redactPostgresUrl(url)}`, undefined);
  }
  const user = decodeURIComponent(u.username) || userInfo().username;
  const hostParam = u.searchParams.get('host');
  const sslmode = u.searchParams.get('sslmode') ?? 'prefer';
  if (!SSL_MODES.includes(sslmode)) throw new PgError(`unknown sslmode "${sslmode}"`, undefined);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    socketDir: hostParam?.startsWith('/') ? hostParam : undefined,
    user,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user,
    sslmode: (hostParam?.startsWith('/') ? 'disable' : sslmode) as SslMode,
  };
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

/** Runs one simple-protocol query; returns the rows of its last result as text (NULL as null). */
export async function pgQuery(url: string, sql: string, timeoutMs = 10_000): Promise<(string | null)[][]> {
  const target = parsePostgresUrl(url);
  const socket = await open(target, timeoutMs);
  const wire = new Wire(socket);
  const timer = setTimeout(
    () =>
      wire.fail(
        new PgError(`PostgreSQL at ${describe(target)} did not answer within ${timeoutMs} ms`, undefined),
      ),
    timeoutMs,
  );
  try {
    await startup(wire, target);
    wire.send('Q', cstring(sql));
    let rows: (string | null)[][] = [];
    let error: PgError | undefined;
    for (;;) {
      const { type, body } = await wire.next();
      if (type === 'T') rows = [];
      else if (type === 'D') rows.push(dataRow(body));
      else if (type === 'E') error ??= errorOf(body);
      else if (type === 'Z') break;
    }
    if (error) throw error;
    return rows;
  } finally {
    clearTimeout(timer);
    wire.close();
  }
}

function describe(target: PgTarget): string {
  return target.socketDir ? `${target.socketDir}/.s.PGSQL.${target.port}` : `${target.host}:${target.port}`;
}

/** Connects and negotiates TLS; until it returns, a silence of timeoutMs fails it. */
async function open(target: PgTarget, timeoutMs: number): Promise<Socket> {
  const raw = await new Promise<Socket>((resolve, reject) => {
    const socket = target.socketDir
      ? netConnect(`${target.socketDir}/.s.PGSQL.${target.port}`)
      : netConnect(target.port, target.host);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => resolve(socket));
    socket.once('error', (error) =>
      reject(new PgError(`cannot reach PostgreSQL at ${describe(target)}: ${error.message}`, undefined)),
    );
  });
  const ready = (socket: Socket) => {
    raw.setTimeout(0); // from here on, pgQuery's own timer applies
    return socket;
  };
  if (target.sslmode === 'disable') return ready(raw);
  // SSLRequest: the server answers one byte, S (go ahead with TLS) or N (no TLS here).
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4);
  raw.write(request);
  const answer = await new Promise<string>((resolve, reject) => {
    raw.once('data', (chunk: Buffer) => resolve(String.fromCharCode(chunk[0] ?? 0)));
    raw.once('error', reject);
  });
  if (answer !== 'S') {
    if (target.sslmode === 'allow' || target.sslmode === 'prefer') return ready(raw);
    raw.destroy();
    throw new PgError(
      `PostgreSQL at ${describe(target)} does not offer TLS (sslmode=${target.sslmode})`,
      undefined,
    );
  }
  const verify = target.sslmode === 'verify-ca' || target.sslmode === 'verify-full';
  return new Promise<Socket>((resolve, reject) => {
    const secure = tlsConnect({
      socket: raw,
      rejectUnauthorized: verify,
      host: target.host, // what verify-full checks the certificate against
      ...(isIP(target.host) ? {} : { servername: target.host }),
      ...(target.sslmode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    });
    secure.once('secureConnect', () => resolve(ready(secure)));
    secure.once('error', (error) =>
      reject(new PgError(`TLS to PostgreSQL at ${describe(target)} failed: ${error.message}`, undefined)),
    );
  });
}

/** Buffers what the server sends and hands it out one message at a time. */
class Wire {
  private buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new PgError('PostgreSQL closed the connection', undefined)));
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  async next(): Promise<{ type: string; body: Buffer }> {
    for (;;) {
      if (this.buffer.length >= 5) {
        const length = this.buffer.readInt32BE(1);
        if (this.buffer.length >= 1 + length) {
          const type = String.fromCharCode(this.buffer[0] ?? 0);
          const body = this.buffer.subarray(5, 1 + length);
          this.buffer = this.buffer.subarray(1 + length);
          return { type, body };
        }
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  send(type: string, body: Buffer): void {
    const header = Buffer.alloc(5);
    header.write(type, 0, 'latin1');
    header.writeInt32BE(4 + body.length, 1);
    this.socket.write(Buffer.concat([header, body]));
  }

  /** Startup has no type byte. */
  sendUntyped(body: Buffer): void {
    const header = Buffer.alloc(4);
    header.writeInt32BE(4 + body.length, 0);
    this.socket.write(Buffer.concat([header, body]));
  }

  close(): void {
    if (this.socket.destroyed) return;
    if (this.failure) {
      this.socket.destroy();
      return;
    }
    this.send('X', Buffer.alloc(0)); // Terminate, so the server logs no broken connection
    this.socket.end();
    this.socket.unref();
  }
}

function cstring(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

function errorOf(body: Buffer): PgError {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const key = String.fromCharCode(body[at] ?? 0);
    const end = body.indexOf(0, at + 1);
    fields.set(key, body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return new PgError(fields.get('M') ?? 'PostgreSQL error', fields.get('C'));
}

function dataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const row: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    if (length < 0) row.push(null);
    else {
      row.push(body.toString('utf8', at, at + length));
      at += length;
    }
  }
  return row;
}

async function startup(wire: Wire, target: PgTarget): Promise<void> {
  wire.sendUntyped(
    Buffer.concat([
      int32(196608), // protocol 3.0
      cstring('user'),
      cstring(target.user),
      cstring('database'),
      cstring(target.database),
      cstring('application_name'),
      cstring('seatwise'),
      cstring('client_encoding'),
      cstring('UTF8'),
      Buffer.from([0]),
    ]),
  );
  let scram: Scram | undefined;
  for (;;) {
    const { type, body } = await wire.next();
    if (type === 'E') throw errorOf(body);
    if (type === 'Z') return;
    if (type !== 'R') continue;
    const kind = body.readInt32BE(0);
    if (kind === 0) continue; // AuthenticationOk; ReadyForQuery follows
    const password = target.password;
    if (password === undefined) {
      throw new PgError(`PostgreSQL asks user "${target.user}" for a password and the URL has none`, '28P01');
    }
    if (kind === 3) wire.send('p', cstring(password));
    else if (kind === 5) {
      const inner = createHash('md5')
        .update(password + target.user)
        .digest('hex');
      const outer = createHash('md5').update(inner).update(body.subarray(4, 8)).digest('hex');
      wire.send('p', cstring(`md5${outer}`));
    } else if (kind === 10) {
      const mechanisms = body.toString('utf8', 4).split('\0');
      if (!mechanisms.includes('SCRAM-SHA-256')) {
        throw new PgError(`no supported SASL mechanism among ${mechanisms.join(', ')}`, undefined);
      }
      scram = new Scram(password);
      const first = Buffer.from(scram.clientFirst(), 'utf8');
      wire.send('p', Buffer.concat([cstring('SCRAM-SHA-256'), int32(first.length), first]));
    } else if (kind === 11 && scram) {
      wire.send('p', Buffer.from(scram.clientFinal(body.toString('utf8', 4)), 'utf8'));
    } else if (kind === 12 && scram) {
      scram.verifyServerFinal(body.toString('utf8', 4));
    } else {
      throw new PgError(`unsupported authentication request ${kind}`, undefined);
    }
  }
}

/** RFC 5802/7677 SCRAM-SHA-256 without channel binding, as PostgreSQL speaks it. */
class Scram {
  private readonly clientNonce = randomBytes(18).toString('base64');
  private serverSignature: Buffer | undefined;

  constructor(private readonly password: string) {}

  private get clientFirstBare(): string {
    return `n=,r=${this.clientNonce}`; // PostgreSQL takes the user from the startup message
  }

  clientFirst(): string {
    return `n,,${this.clientFirstBare}`;
  }

  clientFinal(serverFirst: string): string {
    const attrs = new Map(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
    const nonce = attrs.get('r') ?? '';
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (!nonce.startsWith(this.clientNonce) || !Number.isInteger(iterations) || iterations < 1) {
      throw new PgError('malformed SCRAM server-first message', undefined);
    }
    const salted = pbkdf2Sync(this.password.normalize('NFKC'), salt, iterations, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
    this.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verifyServerFinal(serverFinal: string): void {
    const v = serverFinal.split(',').find((kv) => kv.startsWith('v='));
    const got = Buffer.from(v?.slice(2) ?? '', 'base64');
    if (!this.serverSignature || got.length !== this.serverSignature.length) {
      throw new PgError('PostgreSQL sent no valid SCRAM server signature', undefined);
    }
    if (!timingSafeEqual(got, this.serverSignature)) {
      throw new PgError('PostgreSQL SCRAM server signature does not match', undefined);
    }
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
