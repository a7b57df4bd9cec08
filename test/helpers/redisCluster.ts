/**
 * A private three-master Redis Cluster on loopback, from Debian's `redis-server` and `redis-cli`,
 * in temporary directories: for tests that must run through a cluster (slots, MOVED, CROSSSLOT).
 * Never touches the machine's own Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  /** `REDIS_CLUSTER_NODES` for a seatwise process. */
  nodesSetting: string;
  /** Node that holds `key`'s slot, by asking the cluster. */
  nodeFor(key: string): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose cluster bus port (+10000) is free too: below the ephemeral range, so both fit. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port)) continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${output.slice(-1000)}`));
    });
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ask(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  const servers: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.exitCode !== null || server.signalCode !== null) return resolve();
            server.once('exit', () => resolve());
            server.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      ports.push(port);
      const nodeDir = await mkdtemp(join(dir, `node-${port}-`));
      servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(nodeDir, 'nodes.conf'),
            '--cluster-node-timeout',
            '5000',
            '--dir',
            nodeDir,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) {
      await waitUntil(`node ${port} to answer`, async () => (await ask(port, 'PING')) === 'PONG', 10_000);
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      30_000,
    );
    for (const port of ports) {
      await waitUntil(
        `node ${port} to see the cluster ok`,
        async () => String(await ask(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
        20_000,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  return {
    nodes,
    nodesSetting: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    async nodeFor(key) {
      const slot = Number(await ask(ports[0] ?? 0, 'CLUSTER', 'KEYSLOT', key));
      const ranges = (await ask(ports[0] ?? 0, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no node owns slot ${slot}`);
      return { host: owner[2][0], port: owner[2][1] };
    },
    stop,
  };
}
