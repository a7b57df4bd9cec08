import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../../shared/config.js';
import { freePort, startFerretdb } from '../../scripts/ferretdb.js';
import { freshMongoUrl, redisUrl } from '../helpers/services.js';

const key = `k1:${Buffer.alloc(32, 3).toString('base64')}`;

function startProcess(script: string, env: Record<string, string>) {
  const child = spawn('node', ['--import', 'tsx', script], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(predicate: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the api and worker processes', () => {
  it('when the api starts against the local services, then /readyz says ready and SIGTERM stops it cleanly', async () => {
    const port = await freePort();
    const api = startProcess('api/main.ts', {
      PORT: String(port),
      ENCRYPTION_KEYS: key,
      REDIS_URL: redisUrl(),
      MONGO_URL: freshMongoUrl('api'),
    });
    await waitFor(() => api.out().includes('api ready'), 20_000);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', notReady: [] });
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });

  it('when MongoDB is unreachable at start, then the api stops with one line naming it', async () => {
    const port = await freePort();
    const deadPort = await freePort();
    const api = startProcess('api/main.ts', {
      PORT: String(port),
      ENCRYPTION_KEYS: key,
      REDIS_URL: redisUrl(),
      MONGO_URL: `mongodb://127.0.0.1:${deadPort}/x`,
    });
    const code = await api.exited;
    // The api refuses to start without MongoDB; a readiness check matters for losing it later.
    expect(code).toBe(1);
    expect(api.err()).toMatch(/^api: cannot start: mongodb is unreachable/m);
  });

  it('when MongoDB goes away while the api runs, then /readyz answers 503 and names it', async () => {
    const ferretdb = await startFerretdb({ handler: 'sqlite' });
    const port = await freePort();
    const api = startProcess('api/main.ts', {
      PORT: String(port),
      ENCRYPTION_KEYS: key,
      REDIS_URL: redisUrl(),
      MONGO_URL: `${ferretdb.url}/readyz_check`,
    });
    try {
      await waitFor(() => api.out().includes('api ready'), 20_000);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      await ferretdb.stop();
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'not ready', notReady: ['mongodb'] });
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
      await ferretdb.stop();
    }
  });

  it('when REDIS_URL is malformed, then the worker stops at start with a one-line error and no stack trace', async () => {
    const worker = startProcess('worker/main.ts', { ENCRYPTION_KEYS: key, REDIS_URL: 'not-a-url' });
    expect(await worker.exited).toBe(78);
    const lines = worker.err().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^worker: config: REDIS_URL: must be a redis:\/\//)]);
  });

  it('when the worker starts, then it logs ready once and exits 0 on SIGTERM', async () => {
    const worker = startProcess('worker/main.ts', {
      ENCRYPTION_KEYS: key,
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: `t${Date.now()}`,
      MONGO_URL: freshMongoUrl('worker'),
    });
    await waitFor(() => worker.out().includes('worker ready'), 20_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.out()).toContain('worker stopped');
  });
});
