/**
 * Throws generated junk at every route: first each route as admin (so it gets past auth), then
 * 10,000 generated requests with random methods, paths, ids (upper-case variants included), bodies,
 * username globs and headers over four keep-alive connections. Nothing may answer 5xx or take 1 s,
 * and no per-profile model may be compiled for an id that names no profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { aliasInput, ROLE_TOKENS, startApi, type ApiHarness } from './apiHarness.js';
import { seededRandom } from '../helpers/seededRandom.js';

let api: ApiHarness;
let profileId = '';
let aliasId = '';
beforeAll(async () => {
  api = await startApi();
  const alias = await api.call('post', '/api/v1/aliases', { body: aliasInput('fuzz-alias') });
  aliasId = (alias.json as { id: string }).id;
  const profile = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Fuzz target' } });
  profileId = (profile.json as { id: string }).id;
});
afterAll(async () => {
  await api?.close();
});

const KEYS = [
  'displayName',
  'name',
  'aliasId',
  'parentId',
  'instanceUrl',
  'grantType',
  'clientId',
  'clientSecret',
  'redirectUrl',
  'subflows',
  'schedule',
  'cron',
  'timezone',
  'dryRun',
  'kind',
  'value',
  'identifier',
  'thresholdDays',
  'action',
  'ids',
  'decision',
  'reason',
  'runId',
  'userIds',
  'deactivateNow',
  'freezeDays',
  'freezeOnRefusal',
  'product',
  'enabled',
  '__proto__',
  'constructor',
  '$where',
  '$set',
];
const STRINGS = [
  '',
  ' ',
  'x',
  'a'.repeat(5000),
  '0 3 * * *',
  '61 * * * *',
  'https://x.example',
  'http://10.0.0.1',
  'javascript:alert(1)',
  'aaaaaaaaaaaaaaaaaaaaaaaa',
  'zzzzzzzzzzzzzzzzzzzzzzzz',
  '{"$gt":""}',
  '\u0000',
  '😀',
  '<script>',
  'authorization_code',
  'approve',
  'withdraw',
  '005000000000001AAA',
  '005000000000001',
  'run_0123456789abcdef',
  'identifier',
  'user_id',
];

function junk(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 7 : 10));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, 3.5, Number.MAX_SAFE_INTEGER, 501, 60][Math.floor(r() * 7)];
    case 3:
    case 4:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5:
      return 'q'.repeat(Math.floor(r() * 40));
    case 6:
      return { $gt: '' };
    case 7:
    case 8: {
      const obj: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++) obj[KEYS[Math.floor(r() * KEYS.length)]!] = junk(r, depth + 1);
      return obj;
    }
    default:
      return Array.from({ length: Math.floor(r() * 4) }, () => junk(r, depth + 1));
  }
}

function junkId(r: () => number): string {
  return [profileId, aliasId, 'aaaaaaaaaaaaaaaaaaaaaaaa', 'nope', '%24gt', '0'.repeat(25), 'x'.repeat(300)][
    Math.floor(r() * 7)
  ]!;
}

function junkQuery(r: () => number): string {
  const keys = [
    'limit',
    'offset',
    'sort',
    'status',
    'force',
    'kind',
    'identifier',
    'isActive',
    'x',
    'limit[$gt]',
    'format',
    'after',
    'userId',
    'runId',
    'action',
  ];
  const values = [
    '-1',
    '0',
    '501',
    '10',
    'abc',
    'true',
    'draft',
    '-displayName',
    '',
    '%00',
    'a'.repeat(300),
    'csv',
    'aaaaaaaaaaaaaaaaaaaaaaaa',
    '005000000000001',
    'stop',
  ];
  const n = Math.floor(r() * 3);
  const parts = Array.from(
    { length: n },
    () => `${keys[Math.floor(r() * keys.length)]}=${values[Math.floor(r() * values.length)]}`,
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

describe('junk at every route', () => {
  it('when generated junk bodies, ids and query strings hit every route, then nothing answers 5xx', async () => {
    const r = seededRandom(20261123);
    const failures: string[] = [];
    let requests = 0;
    for (const route of api.app.routeTable) {
      for (let i = 0; i < 8; i++) {
        const path = route.path.replace(/:[A-Za-z]+/g, (m) =>
          m === ':id' && r() < 0.5 ? (route.path.includes('aliases') ? aliasId : profileId) : junkId(r),
        );
        const url = `${path}${junkQuery(r)}`;
        const body = route.method === 'get' ? undefined : junk(r);
        const res =
          i === 7 && route.method !== 'get'
            ? await api.call(route.method, url, { rawBody: '{"a": [1, 2,' })
            : await api.call(route.method, url, body === undefined ? {} : { body });
        requests++;
        if (res.status >= 500)
          failures.push(
            `${route.method} ${url} ${JSON.stringify(body)?.slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`,
          );
        if (res.status >= 400 && !res.headers.get('content-type')?.includes('problem+json')) {
          failures.push(`${route.method} ${url} → ${res.status} without problem+json`);
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
    expect(failures).toEqual([]);
    // Several hundred sequential requests: about 2 s alone, far more when the machine is shared.
  }, 90_000);
});

const GLOB_PARTS = ['*', '?', 'a', '.', '@', 'acme', '#', '\\', '[', '(', '+', '$', 'é', '*?'];

function junkGlob(r: () => number): string {
  const roll = r();
  if (roll < 0.15) return `${'*?'.repeat(10)}#`;
  if (roll < 0.25) return `${'*'.repeat(Math.floor(r() * 40))}${'a'.repeat(Math.floor(r() * 200))}`;
  return Array.from({ length: 1 + Math.floor(r() * 24) }, () => pick(r, GLOB_PARTS)).join('');
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'] as const;

function generatedId(r: () => number): string {
  return pick(r, [
    profileId,
    aliasId,
    profileId.toUpperCase(),
    `${profileId.slice(0, 12)}${profileId.slice(12).toUpperCase()}`,
    aliasId.toUpperCase(),
    Array.from({ length: 24 }, () => pick(r, [...'0123456789abcdef'])).join(''),
    Array.from({ length: 24 }, () => pick(r, [...'0123456789ABCDEF'])).join(''),
    'nope',
    '%24gt',
    '%00',
    '%E2%82%AC',
    '%ZZ',
    '..',
    '0'.repeat(25),
    'x'.repeat(300),
    `${profileId}%7C005000000000001AAA%7CUL%3ASFDC`,
    '005000000000001AAA',
    'run_0123456789abcdef',
  ]);
}

function generatedPath(r: () => number, routes: readonly { path: string }[]): string {
  const roll = r();
  if (roll < 0.08) {
    return pick(r, [
      '/healthz',
      '/readyz',
      `/oauth/callback?state=${generatedId(r)}&code=x`,
      '/oauth/callback?error=access_denied&error_description=%3Cscript%3E',
      '/api',
      '/api/v2/profiles',
      '/api/v1/profiles/',
      `/api/v1/profiles/${generatedId(r)}/nothing-here`,
      '//api/v1/profiles',
      '/api/v1/../v1/profiles',
      `/api/v1/${'deep/'.repeat(50)}x`,
    ]);
  }
  const route = pick(r, routes);
  const path = route.path.replace(/:[A-Za-z]+/g, () => generatedId(r));
  return `${path}${junkQuery(r)}${r() < 0.1 ? `${junkQuery(r) ? '&' : '?'}username=${encodeURIComponent(junkGlob(r))}` : ''}`;
}

function generatedHeaders(r: () => number): Record<string, string> {
  const headers: Record<string, string> = {};
  const auth = r();
  if (auth < 0.7)
    headers.authorization = `Bearer ${ROLE_TOKENS[pick(r, ['admin', 'integrator', 'operator', 'viewer'] as const)]}`;
  else if (auth < 0.8)
    headers.authorization = pick(r, [
      'Bearer',
      'Bearer ',
      'Basic YTpi',
      'Bearer x'.repeat(300),
      'bearer tok',
    ]);
  if (r() < 0.85) {
    headers['content-type'] = pick(r, [
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ]);
  }
  if (r() < 0.3) headers.accept = pick(r, ['text/csv', 'application/xml', '*/*', 'application/problem+json']);
  if (r() < 0.1) headers['x-forwarded-for'] = pick(r, ['1.2.3.4', 'junk', '::1']);
  if (r() < 0.05) headers.cookie = `seatwise_board=${'c'.repeat(Math.floor(r() * 100))}`;
  return headers;
}

function generatedBody(r: () => number): string | undefined {
  const roll = r();
  if (roll < 0.15) return undefined;
  if (roll < 0.25)
    return pick(r, ['{"a": [1, 2,', 'null', '[]', '"x"', '{"__proto__": {"admin": true}}', '\u0000', '']);
  if (roll < 0.45) {
    return JSON.stringify({
      kind: pick(r, ['username_pattern', 'user_id', 'identifier', 'profile_name', 'user_type', 'x']),
      value: junkGlob(r),
      ...(r() < 0.3 ? { enabled: r() < 0.5 } : {}),
    });
  }
  return JSON.stringify(junk(r));
}

/** One request over a keep-alive agent: status, content type and body text. */
function send(
  agent: Agent,
  req: { method: string; path: string; headers: Record<string, string>; body: string | undefined },
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(api.url);
    const out = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers:
          req.body === undefined
            ? req.headers
            : { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(req.body);
  });
}

describe('10,000 generated requests', () => {
  it('when 10,000 generated requests hit the api, then none answers 5xx or takes 1 s, errors are problems, and no model leaks per id variant', async () => {
    const r = seededRandom(14_14_2026);
    const routes = api.app.routeTable;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const failures: string[] = [];
    const durations: number[] = [];
    let next = 0;
    const TOTAL = 10_000;
    const plan = Array.from({ length: TOTAL }, () => {
      const path = generatedPath(r, routes);
      const route = routes.find((x) => path.startsWith(x.path.split('/:')[0]!));
      const method = r() < 0.7 && route ? route.method.toUpperCase() : pick(r, METHODS);
      const body = method === 'GET' || method === 'HEAD' ? undefined : generatedBody(r);
      return { method, path, body, headers: generatedHeaders(r) };
    });
    const runOne = async () => {
      for (let i = next++; i < TOTAL; i = next++) {
        const req = plan[i]!;
        const started = performance.now();
        const res = await send(agent, req);
        const text = res.text;
        const ms = performance.now() - started;
        durations.push(ms);
        const what = `${req.method} ${req.path.slice(0, 120)} ${req.body?.slice(0, 120) ?? ''}`;
        if (res.status >= 500) failures.push(`${what} → ${res.status} ${text.slice(0, 200)}`);
        if (ms >= 1_000) failures.push(`${what} → took ${Math.round(ms)} ms`);
        if (
          res.status >= 400 &&
          req.path.startsWith('/api/') &&
          req.method !== 'HEAD' &&
          !res.type.includes('problem+json')
        ) {
          failures.push(`${what} → ${res.status} without problem+json`);
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, runOne));
    const elapsed = performance.now() - started;
    agent.destroy();

    durations.sort((a, b) => a - b);
    const p99 = durations[Math.floor(durations.length * 0.99)]!;
    console.info(
      `fuzz: ${durations.length} requests in ${(elapsed / 1000).toFixed(1)} s, p99 ${p99.toFixed(1)} ms, max ${durations.at(-1)!.toFixed(1)} ms`,
    );
    expect(durations).toHaveLength(TOTAL);
    expect(failures.slice(0, 20)).toEqual([]);

    // Per-profile models exist only for profiles that exist, under their one spelling.
    const profiles = new Set(
      (await api.models.IntegrationProfile.find({}, { _id: 1 }).lean()).map((p) => String(p._id)),
    );
    const perProfile = Object.keys(api.db.connection.models)
      .map((name) => /^(?:SoftwareSubscription|RemovalCandidate)_(.+)$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined);
    for (const id of perProfile) expect(profiles.has(id), id).toBe(true);
  }, 170_000);
});
