/**
 * The seed's setup through HTTP only, against two simulator orgs and a real worker process:
 * parent alias with Authorization Code (following the simulator's redirect), child alias with
 * Client Credentials, two profiles, validate, publish, and the runs recorded. Afterwards no
 * secret or token is in any response, api log line, worker output or job payload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../../shared/config.js';
import { createSecretBox } from '../../shared/crypto/secretBox.js';
import { QUEUE_NAMES } from '../../shared/queues.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { startApi, type ApiHarness, type CallOptions, type CallResult } from './apiHarness.js';

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
let api: ApiHarness;
let sim: RunningSimulator;
let worker: ChildProcess;
let workerOutput = '';
const bodies: string[] = [];

async function call(method: string, path: string, options?: CallOptions): Promise<CallResult> {
  const res = await api.call(method, path, options);
  bodies.push(res.text);
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status}: ${res.text}`);
  return res;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms\n${workerOutput.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  [api, sim] = await Promise.all([
    startApi({}, { ENCRYPTION_KEYS: KEYS }),
    startSimulator({ orgs: [{ users: 30 }, { users: 30 }], seed: 11, quiet: true }),
  ]);
  worker = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    env: childEnv({
      NODE_ENV: 'test',
      REDIS_URL: api.redis.url,
      REDIS_PREFIX: api.redis.prefix,
      MONGO_URL: api.db.url,
      ENCRYPTION_KEYS: KEYS,
      SF_INSECURE_HTTP_HOSTS: '127.0.0.1',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (c: Buffer) => (workerOutput += c.toString()));
  worker.stderr?.on('data', (c: Buffer) => (workerOutput += c.toString()));
  await until('worker ready', async () => (workerOutput.includes('worker ready') ? true : undefined), 30_000);
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await Promise.all([api?.close(), sim?.stop()]);
});

describe('the seed setup end to end', () => {
  it('when two orgs are connected through parent and child aliases, validated and published, then both profiles are published with runs recorded and nothing leaks', async () => {
    const [org1, org2] = sim.orgs as [(typeof sim.orgs)[0], (typeof sim.orgs)[0]];
    // Org 1: parent alias, Authorization Code through the browser redirect.
    const parent = await call('post', '/api/v1/aliases', {
      token: 'integrator',
      body: {
        name: 'Salesforce',
        instanceUrl: org1.instanceUrl,
        grantType: 'authorization_code',
        clientId: org1.clientId,
        clientSecret: org1.clientSecret,
        redirectUrl: `${api.url}/oauth/callback`,
      },
    });
    const parentId = (parent.json as { id: string }).id;
    const start = await call('post', `/api/v1/aliases/${parentId}/oauth/start`, { token: 'integrator' });
    const consent = await fetch((start.json as { authorizeUrl: string }).authorizeUrl, {
      redirect: 'manual',
    });
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const callback = await fetch(consent.headers.get('location')!, {
      redirect: 'manual',
      headers: { cookie },
    });
    bodies.push(await callback.text());
    expect(callback.status).toBe(200);
    // Org 2: child alias, Client Credentials.
    const child = await call('post', '/api/v1/aliases', {
      token: 'integrator',
      body: {
        name: 'Salesforce support org',
        parentId,
        instanceUrl: org2.instanceUrl,
        grantType: 'client_credentials',
        clientId: org2.clientId,
        clientSecret: org2.clientSecret,
      },
    });
    const childId = (child.json as { id: string }).id;
    await call('post', `/api/v1/aliases/${childId}/oauth/token`, { token: 'integrator' });

    const profiles: string[] = [];
    for (const [displayName, aliasId] of [
      ['Acme Sales', parentId],
      ['Acme Support', childId],
    ] as const) {
      const p = await call('post', '/api/v1/profiles', {
        token: 'integrator',
        body: { displayName, aliasId },
      });
      profiles.push((p.json as { id: string }).id);
    }
    for (const id of profiles) {
      const { runId } = (await call('post', `/api/v1/profiles/${id}/validate`, { token: 'integrator' }))
        .json as { runId: string };
      const validation = await until('validation', async () => {
        const p = (await call('get', `/api/v1/profiles/${id}`, { token: 'viewer' })).json as {
          lastValidation: { runId: string; ok: boolean; checks: unknown[] } | null;
        };
        return p.lastValidation?.runId === runId ? p.lastValidation : undefined;
      });
      expect(validation, JSON.stringify(validation.checks)).toMatchObject({ ok: true });
      const published = (await call('post', `/api/v1/profiles/${id}/publish`, { token: 'integrator' }))
        .json as { runId: string; profile: { status: string } };
      expect(published.profile.status).toBe('published');
      const runs = (
        await call('get', `/api/v1/profiles/${id}/runs?runId=${published.runId}`, { token: 'viewer' })
      ).json as { total: number; items: { trigger: string }[] };
      expect(runs.total).toBeGreaterThan(0);
      expect(runs.items.every((r) => r.trigger === 'publish')).toBe(true);
    }

    // No secret or token anywhere: responses, api logs, worker output, job payloads.
    const box = createSecretBox(api.config.crypto);
    const secrets = [org1.clientSecret, org2.clientSecret];
    for (const a of await api.models.ConnectionAlias.find().lean()) {
      const aliasId = String(a._id);
      if (a.tokens) secrets.push(box.open(a.tokens.accessToken, { aliasId, field: 'accessToken' }));
      if (a.tokens?.refreshToken)
        secrets.push(box.open(a.tokens.refreshToken, { aliasId, field: 'refreshToken' }));
    }
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const payloads: string[] = [];
    for (const name of Object.values(QUEUE_NAMES)) {
      const q = new Queue(name, { connection: api.redis.redis, prefix: api.redis.prefix });
      for (const job of await q.getJobs()) payloads.push(JSON.stringify(job.data));
      await q.close();
    }
    expect(payloads.length).toBeGreaterThan(0);
    const haystacks = [...bodies, ...api.logs, workerOutput, ...payloads];
    expect(secrets.filter((s) => haystacks.some((h) => h.includes(s)))).toEqual([]);
  }, 120_000);
});
