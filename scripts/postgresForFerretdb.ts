/**
 * The PostgreSQL a FerretDB of ours stores its data in: a server that answers at the configured or
 * default URL, else a private cluster started with the machine's initdb/pg_ctl in a temporary
 * directory. Every FerretDB instance gets a database of its own there, dropped when it stops, so
 * parallel test runs, the demo and the benchmark never see each other's data.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_FERRETDB_POSTGRESQL_URL } from '../shared/config.js';
import { freePort } from './freePort.js';
import { PgError, pgQuery, redactPostgresUrl, withDatabase } from './pgClient.js';

const run = promisify(execFile);

export interface PostgresServer {
  /** Where databases are created and dropped (its own database is never written to). */
  url: string;
  /** For the one log line that says where FerretDB stores its data. */
  description: string;
  /** Stops a private cluster and removes its files; nothing for a server we found running. */
  stop(): Promise<void>;
}

export type PostgresLookup = { server: PostgresServer } | { unavailable: string };

/**
 * A configured URL must answer (a typo should not silently become another storage engine);
 * without one, the default URL is tried, then a private cluster.
 */
export async function findPostgres(configuredUrl: string | undefined): Promise<PostgresLookup> {
  if (configuredUrl) {
    try {
      await pgQuery(configuredUrl, 'SELECT 1', 5_000);
    } catch (error) {
      throw new Error(
        `SEATWISE_FERRETDB_POSTGRESQL_URL=${redactPostgresUrl(configuredUrl)} does not answer: ${(error as Error).message}`,
      );
    }
    return { server: foundServer(configuredUrl) };
  }
  const reasons: string[] = [];
  try {
    await pgQuery(DEFAULT_FERRETDB_POSTGRESQL_URL, 'SELECT 1', 3_000);
    return { server: foundServer(DEFAULT_FERRETDB_POSTGRESQL_URL) };
  } catch (error) {
    reasons.push((error as Error).message);
  }
  try {
    return { server: await startPrivateCluster() };
  } catch (error) {
    reasons.push(`no private cluster: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  return { unavailable: reasons.join('; ') };
}

function foundServer(url: string): PostgresServer {
  return { url, description: redactPostgresUrl(url), stop: async () => undefined };
}

export interface InstanceDatabase {
  name: string;
  /** The server's URL with this database in it: what FerretDB is given. */
  url: string;
  drop(): Promise<void>;
}

/** Names carry this host and the creating process, so a crashed run's database can be told apart. */
const PREFIX = 'seatwise_ferretdb_';
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);

/** Creates a fresh database for one FerretDB instance (and drops those of dead processes of this host). */
export async function createInstanceDatabase(server: PostgresServer): Promise<InstanceDatabase> {
  await dropDatabasesOfDeadProcesses(server.url).catch(() => undefined);
  const name = `${PREFIX}${HOST_TAG}_${process.pid}_${randomBytes(4).toString('hex')}`;
  // template0 with C collation: any server locale accepts it, and strings compare bytewise as in MongoDB.
  await pgQuery(
    server.url,
    `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
  );
  // The data is thrown away at the end, so commits need not wait for the WAL to reach the disk.
  await pgQuery(server.url, `ALTER DATABASE "${name}" SET synchronous_commit = off`);
  return {
    name,
    url: withDatabase(server.url, name),
    drop: () => dropDatabase(server.url, name),
  };
}

async function dropDatabase(url: string, name: string): Promise<void> {
  try {
    await pgQuery(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch (error) {
    // WITH (FORCE) is PostgreSQL 13+; FerretDB has closed its connections by now anyway.
    if (!(error instanceof PgError) || error.code !== '42601') throw error;
    await pgQuery(url, `DROP DATABASE IF EXISTS "${name}"`);
  }
}

async function dropDatabasesOfDeadProcesses(url: string): Promise<void> {
  const rows = await pgQuery(
    url,
    `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX.replaceAll('_', '\\_')}${HOST_TAG}\\_%'`,
  );
  for (const [name] of rows) {
    const pid = Number(name?.split('_')[3]);
    if (name && Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      await dropDatabase(url, name);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
}

/** Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<major>/bin (newest first); else the PATH. */
async function findBinaries(): Promise<PostgresBinaries> {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? (await readdir(root)).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) {
      return { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
    }
  }
  const onPath = await run('sh', ['-c', 'command -v initdb'])
    .then(({ stdout }) => stdout.trim())
    .catch(() => '');
  if (onPath) {
    const bin = dirname(await realpath(onPath));
    if (existsSync(join(bin, 'pg_ctl'))) return { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
  }
  throw new Error('no initdb and pg_ctl on this machine');
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` system user. */
async function clusterOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('initdb cannot run as root and there is no postgres system user');
  }
}

/** Private clusters live in `<tmp>/seatwise-pg-<pid of their creator>-XXXXXX`. */
const CLUSTER_PREFIX = 'seatwise-pg-';

type RunAs = (command: string, args: string[], cwd: string) => Promise<unknown>;

/** A throwaway cluster on a free loopback port; trust auth, no fsync: its data never outlives it. */
async function startPrivateCluster(): Promise<PostgresServer> {
  const binaries = await findBinaries();
  const owner = await clusterOwner();
  const as: RunAs = (command, args, cwd) =>
    owner ? run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd }) : run(command, args, { cwd });
  await stopClustersOfDeadProcesses(binaries, as).catch(() => undefined);
  const dir = await mkdtemp(join(tmpdir(), `${CLUSTER_PREFIX}${process.pid}-`));
  const data = join(dir, 'data');
  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    await as(
      binaries.initdb,
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      dir,
    );
    const port = await freePort();
    await appendFile(
      join(data, 'postgresql.conf'),
      [
        '',
        '# seatwise: a private, throwaway cluster for FerretDB',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    await as(binaries.pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start'], dir);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    await pgQuery(url, 'SELECT 1', 5_000);
    return {
      url,
      description: `a private cluster on 127.0.0.1:${port} (${binaries.initdb})`,
      async stop() {
        await stopCluster(binaries, as, dir);
      },
    };
  } catch (error) {
    await stopCluster(binaries, as, dir);
    throw error;
  }
}

async function stopCluster(binaries: PostgresBinaries, as: RunAs, dir: string): Promise<void> {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    await as(binaries.pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], dir).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}

/** A run killed before it could stop its cluster leaves a server running; the next start stops it. */
async function stopClustersOfDeadProcesses(binaries: PostgresBinaries, as: RunAs): Promise<void> {
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(CLUSTER_PREFIX)) continue;
    const pid = Number(entry.slice(CLUSTER_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) {
      await stopCluster(binaries, as, join(tmpdir(), entry));
    }
  }
}
