/**
 * Throws generated junk at every route (as admin, so it gets past auth): random JSON of every
 * shape, wrong types, huge strings, bad ids, junk query strings. Nothing may answer 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasInput, startApi, type ApiHarness } from './apiHarness.js';
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
