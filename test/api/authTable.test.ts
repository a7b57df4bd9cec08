/**
 * Walks every route the app registered (read back from Express's router, so a new route cannot
 * escape) with no token, an unknown token and each role, against the permission policy below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../shared/config.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { Types } from 'mongoose';
import { createSecretBox, type SecretBox } from '../../shared/crypto/secretBox.js';
import { startSimulator, type RunningSimulator } from '../../simulator/server.js';
import { testId } from '../helpers/services.js';
import { aliasInput, fakeStoredTokens, startApi, type ApiHarness } from './apiHarness.js';
import { seedCandidate, seedRule, seedSnapshot, userId, type SeededRule } from './reclaimFixtures.js';

let api: ApiHarness;
let sim: RunningSimulator;
let box: SecretBox;
beforeAll(async () => {
  api = await startApi();
  box = createSecretBox(api.config.crypto);
  // The Client Credentials grant needs a Salesforce to answer it.
  sim = await startSimulator({
    port: 0,
    seed: 3,
    quiet: true,
    orgs: [{ users: 20, clientCredentialsUser: true }],
  });
});
afterAll(async () => {
  await api?.close();
  await sim?.stop();
});

/**
 * The policy, written independently of the app's route table. Operators may re-sync and stop
 * reclaim (it can only prevent writes), not resume it; resuming every profile at once is an admin's.
 */
function expectedRoles(method: string, path: string): readonly Role[] {
  if (method === 'get') return ROLES;
  if (path.endsWith('/sync') || path.endsWith('/reclaim/stop')) return ['admin', 'integrator', 'operator'];
  if (path === '/api/v1/reclaim/resume') return ['admin'];
  return ['admin', 'integrator'];
}

interface Registered {
  method: string;
  path: string;
}

function registeredRoutes(): Registered[] {
  const router = (
    api.app as unknown as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  ).router;
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => ({ method, path: layer.route!.path })),
    );
}

/** A draft profile on an authorized alias, validated after its last change: ready to publish. */
async function readyProfile(label: string): Promise<{ profileId: string; aliasId: string }> {
  const aliasId = new Types.ObjectId();
  await api.models.ConnectionAlias.create({
    _id: aliasId,
    name: `auth ${label}`,
    nameKey: `auth ${label}`.toLowerCase(),
    instanceUrl: 'https://auth.my.salesforce.com',
    grantType: 'authorization_code',
    clientId: 'client-auth',
    clientSecret: box.seal('auth-secret', { aliasId: String(aliasId), field: 'clientSecret' }),
    tokens: fakeStoredTokens(),
    authStatus: 'authorized',
    configChangedAt: new Date(Date.now() - 60_000),
  });
  const profile = await api.models.IntegrationProfile.create({
    displayName: `Auth ${label}`,
    displayNameKey: `auth ${label}`.toLowerCase(),
    aliasId,
    status: 'draft',
    createdBy: 'test',
    updatedBy: 'test',
    configChangedAt: new Date(Date.now() - 60_000),
    lastValidation: { runId: 'run_authvalid', ok: true, at: new Date(), checks: [] },
  });
  return { profileId: String(profile._id), aliasId: String(aliasId) };
}

async function publishedProfile(label: string): Promise<string> {
  const { profileId } = await readyProfile(label);
  const res = await api.call('post', `/api/v1/profiles/${profileId}/publish`, { token: 'admin' });
  if (res.status !== 202) throw new Error(`publish for fixture → ${res.status} ${res.text}`);
  return profileId;
}

async function bareAlias(label: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api.call('post', '/api/v1/aliases', {
    token: 'admin',
    body: { ...aliasInput(`alias ${label}`), ...extra },
  });
  if (res.status !== 201) throw new Error(`alias fixture → ${res.status} ${res.text}`);
  return (res.json as { id: string }).id;
}

interface ExactCase {
  route: string;
  /** A fresh, valid request for this role (fixtures made per role, so one role's call never spoils another's). */
  call: (role: Role) => Promise<{ path: string; body?: unknown }>;
  status: Partial<Record<Role, number>>;
}

const ALL = (status: number) => ({ admin: status, integrator: status, operator: status, viewer: status });
const CONFIGURE = (status: number) => ({ admin: status, integrator: status });

/** Every route outside the reclaim-safety table above, with the status each role must get. */
function exactCases(fixed: {
  profileId: string;
  aliasId: string;
  ruleIds: Record<string, string>;
}): ExactCase[] {
  const p = `/api/v1/profiles/${fixed.profileId}`;
  const cases: ExactCase[] = [
    {
      route: 'get /api/v1/openapi.json',
      call: async () => ({ path: '/api/v1/openapi.json' }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles',
      call: async () => ({ path: '/api/v1/profiles?limit=5' }),
      status: ALL(200),
    },
    {
      route: 'post /api/v1/profiles',
      call: async (role) => ({
        path: '/api/v1/profiles',
        body: { displayName: `Created by ${role} ${testId('p')}` },
      }),
      status: CONFIGURE(201),
    },
    { route: 'get /api/v1/profiles/:id', call: async () => ({ path: p }), status: ALL(200) },
    {
      route: 'patch /api/v1/profiles/:id',
      call: async () => ({ path: p, body: { dryRun: true } }),
      status: CONFIGURE(200),
    },
    {
      route: 'delete /api/v1/profiles/:id',
      call: async (role) => ({ path: `/api/v1/profiles/${(await readyProfile(`del ${role}`)).profileId}` }),
      status: CONFIGURE(204),
    },
    {
      route: 'delete /api/v1/profiles/:id?force=true',
      call: async (role) => ({
        path: `/api/v1/profiles/${await publishedProfile(`force ${role}`)}?force=true`,
      }),
      status: { admin: 204 },
    },
    {
      route: 'post /api/v1/profiles/:id/validate',
      call: async (role) => ({
        path: `/api/v1/profiles/${(await readyProfile(`val ${role}`)).profileId}/validate`,
      }),
      status: CONFIGURE(202),
    },
    {
      route: 'post /api/v1/profiles/:id/publish',
      call: async (role) => ({
        path: `/api/v1/profiles/${(await readyProfile(`pub ${role}`)).profileId}/publish`,
      }),
      status: CONFIGURE(202),
    },
    {
      route: 'post /api/v1/profiles/:id/pause',
      call: async (role) => ({ path: `/api/v1/profiles/${await publishedProfile(`pause ${role}`)}/pause` }),
      status: CONFIGURE(200),
    },
    {
      route: 'post /api/v1/profiles/:id/unpublish',
      call: async (role) => ({
        path: `/api/v1/profiles/${await publishedProfile(`unpub ${role}`)}/unpublish`,
      }),
      status: CONFIGURE(200),
    },
    {
      route: 'post /api/v1/profiles/:id/sync',
      call: async (role) => ({ path: `/api/v1/profiles/${await publishedProfile(`sync ${role}`)}/sync` }),
      status: { admin: 202, integrator: 202, operator: 202 },
    },
    { route: 'get /api/v1/aliases', call: async () => ({ path: '/api/v1/aliases' }), status: ALL(200) },
    {
      route: 'post /api/v1/aliases',
      call: async (role) => ({ path: '/api/v1/aliases', body: aliasInput(`new ${role} ${testId('a')}`) }),
      status: CONFIGURE(201),
    },
    {
      route: 'get /api/v1/aliases/:id',
      call: async () => ({ path: `/api/v1/aliases/${fixed.aliasId}` }),
      status: ALL(200),
    },
    {
      route: 'patch /api/v1/aliases/:id',
      call: async (role) => ({
        path: `/api/v1/aliases/${await bareAlias(`patch ${role}`)}`,
        body: { name: `renamed ${role}` },
      }),
      status: CONFIGURE(200),
    },
    {
      route: 'delete /api/v1/aliases/:id',
      call: async (role) => ({ path: `/api/v1/aliases/${await bareAlias(`delete ${role}`)}` }),
      status: CONFIGURE(204),
    },
    {
      route: 'post /api/v1/aliases/:id/oauth/start',
      call: async (role) => ({ path: `/api/v1/aliases/${await bareAlias(`start ${role}`)}/oauth/start` }),
      status: CONFIGURE(200),
    },
    {
      route: 'post /api/v1/aliases/:id/oauth/token',
      call: async (role) => {
        const org = sim.orgs[0]!;
        const id = await bareAlias(`token ${role}`, {
          instanceUrl: org.instanceUrl,
          grantType: 'client_credentials',
          clientId: org.clientId,
          clientSecret: org.clientSecret,
        });
        return { path: `/api/v1/aliases/${id}/oauth/token` };
      },
      status: CONFIGURE(200),
    },
    // Entitlements, savings and people across orgs: reads for everyone, writes are configuration.
    {
      route: 'get /api/v1/profiles/:id/entitlements',
      call: async () => ({ path: `${p}/entitlements` }),
      status: ALL(200),
    },
    {
      route: 'put /api/v1/profiles/:id/currency',
      call: async () => ({ path: `${p}/currency`, body: { currency: 'EUR' } }),
      status: CONFIGURE(200),
    },
    {
      route: 'put /api/v1/profiles/:id/entitlements/:identifier',
      call: async () => {
        await api.models.SoftwareModel.updateOne(
          { profileId: fixed.profileId, identifier: 'UL:AUTH' },
          { $set: { product: 'Auth', licenseType: 'user', label: 'Auth', totalLicenses: 3 } },
          { upsert: true },
        );
        return { path: `${p}/entitlements/${encodeURIComponent('UL:AUTH')}`, body: { ownedSeats: 5 } };
      },
      status: CONFIGURE(200),
    },
    {
      route: 'get /api/v1/profiles/:id/savings',
      call: async () => ({ path: `${p}/savings` }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles/:id/savings.csv',
      call: async () => ({ path: `${p}/savings.csv` }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles/:id/savings/history',
      call: async () => ({ path: `${p}/savings/history` }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles/:id/savings/history.csv',
      call: async () => ({ path: `${p}/savings/history.csv` }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles/:id/reclamation-rules/:ruleId/simulation',
      call: async () => ({
        path: `${p}/reclamation-rules/${fixed.ruleIds['reclamation-rules']}/simulation?thresholdDays=45`,
      }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/profiles/:id/exclusion-preview',
      call: async () => ({ path: `${p}/exclusion-preview?kind=username_pattern&value=a*` }),
      status: ALL(200),
    },
    {
      route: 'post /api/v1/login-codes',
      call: async () => ({ path: '/api/v1/login-codes' }),
      status: CONFIGURE(201),
    },
    {
      route: 'get /api/v1/people/across-orgs',
      call: async () => ({ path: '/api/v1/people/across-orgs' }),
      status: ALL(200),
    },
    {
      route: 'get /api/v1/people/across-orgs.csv',
      call: async () => ({ path: '/api/v1/people/across-orgs.csv' }),
      status: ALL(200),
    },
  ];
  for (const segment of [
    'summary',
    'software-models',
    'subscriptions',
    'unrecognized-identifiers',
    'removal-candidates',
    'runs',
    'consumption',
  ]) {
    cases.push({
      route: `get /api/v1/profiles/:id/${segment}`,
      call: async () => ({ path: `${p}/${segment}` }),
      status: ALL(200),
    });
  }
  for (const decision of ['map', 'ignore'] as const) {
    cases.push({
      route: `post /api/v1/profiles/:id/unrecognized-identifiers/:identifierId/${decision}`,
      call: async (role) => {
        const row = await api.models.UnrecognizedIdentifier.create({
          profileId: new Types.ObjectId(fixed.profileId),
          identifier: `X:${decision}:${role}`,
          label: 'x',
        });
        return {
          path: `${p}/unrecognized-identifiers/${String(row._id)}/${decision}`,
          ...(decision === 'map' ? { body: { product: 'Some product' } } : {}),
        };
      },
      status: CONFIGURE(200),
    });
  }
  let unique = 0;
  const ruleBodies = {
    'exclusion-rules': () => ({ kind: 'username_pattern', value: `user${(unique += 1)}@auth.example` }),
    'reclamation-rules': () => ({ identifier: `Y:${(unique += 1)}`, name: 'y' }),
  } as const;
  for (const [segment, body] of Object.entries(ruleBodies)) {
    const base = `${p}/${segment}`;
    const make = async () => {
      const res = await api.call('post', base, { token: 'admin', body: body() });
      if (res.status !== 201) throw new Error(`rule fixture → ${res.status} ${res.text}`);
      return (res.json as { id: string }).id;
    };
    cases.push(
      { route: `get /api/v1/profiles/:id/${segment}`, call: async () => ({ path: base }), status: ALL(200) },
      {
        route: `get /api/v1/profiles/:id/${segment}/:ruleId`,
        call: async () => ({ path: `${base}/${fixed.ruleIds[segment]}` }),
        status: ALL(200),
      },
      {
        route: `delete /api/v1/profiles/:id/${segment}/:ruleId`,
        call: async () => ({ path: `${base}/${await make()}` }),
        status: CONFIGURE(204),
      },
    );
    if (segment === 'exclusion-rules') {
      cases.push(
        {
          route: `post /api/v1/profiles/:id/${segment}`,
          call: async () => ({ path: base, body: body() }),
          status: CONFIGURE(201),
        },
        {
          route: `patch /api/v1/profiles/:id/${segment}/:ruleId`,
          call: async () => ({ path: `${base}/${await make()}`, body: { comment: 'why' } }),
          status: CONFIGURE(200),
        },
      );
    }
  }
  return cases;
}

/** The routes the reclaim-safety table below calls with their exact statuses. */
const RECLAIM_COVERED = [
  'post /api/v1/profiles/:id/removal-candidates/decisions',
  ...['approve', 'reject', 'withdraw', 'retry'].map(
    (d) => `post /api/v1/profiles/:id/removal-candidates/:candidateId/${d}`,
  ),
  'post /api/v1/profiles/:id/reclaim/stop',
  'post /api/v1/profiles/:id/reclaim/resume',
  'post /api/v1/reclaim/stop',
  'post /api/v1/reclaim/resume',
  'get /api/v1/reclaim/switch',
  'get /api/v1/profiles/:id/audit',
  'get /api/v1/profiles/:id/audit.csv',
  'post /api/v1/profiles/:id/undo',
  'get /api/v1/profiles/:id/undos',
  'get /api/v1/profiles/:id/undos/:undoId',
  'get /api/v1/profiles/:id/reclaim-snapshots',
];

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'aaaaaaaaaaaaaaaaaaaaaaaa');

describe('the route × role table', () => {
  it('when the app is built, then every registered route but health, readiness and the OAuth callback is in the route table', () => {
    const table = new Set(api.app.routeTable.map((r) => `${r.method} ${r.path}`));
    const registered = registeredRoutes();
    expect(registered.length).toBeGreaterThan(30);
    const outside = registered
      .filter((r) => !table.has(`${r.method} ${r.path}`))
      .map((r) => `${r.method} ${r.path}`);
    expect(outside.sort()).toEqual(['get /healthz', 'get /oauth/callback', 'get /readyz']);
  });

  it('when health, readiness or the OAuth callback are called without a token, then none answers 401', async () => {
    expect((await api.call('get', '/healthz', { token: null })).status).toBe(200);
    expect((await api.call('get', '/readyz', { token: null })).status).toBe(200);
    expect((await api.call('get', '/oauth/callback', { token: null })).status).toBe(400);
  });

  it('when every route is called with no token, an unknown token and each role, then 401, 403 or through as the policy says', async () => {
    const mismatches: string[] = [];
    for (const route of registeredRoutes()) {
      if (!route.path.startsWith('/api/')) continue;
      const path = concrete(route.path);
      const none = await api.call(route.method, path, { token: null });
      if (none.status !== 401 || !none.headers.get('www-authenticate')?.startsWith('Bearer')) {
        mismatches.push(`${route.method} ${route.path} no token → ${none.status}`);
      }
      const unknown = await api.call(route.method, path, {
        token: null,
        headers: { authorization: 'Bearer not-a-token' },
      });
      if (unknown.status !== 401)
        mismatches.push(`${route.method} ${route.path} unknown token → ${unknown.status}`);
      for (const role of ROLES) {
        const res = await api.call(route.method, path, { token: role });
        const allowed = expectedRoles(route.method, route.path).includes(role);
        const ok = allowed
          ? res.status !== 401 && res.status !== 403 && res.status < 500
          : res.status === 403;
        if (!ok)
          mismatches.push(
            `${route.method} ${route.path} as ${role} → ${res.status} ${res.text.slice(0, 120)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('when each reclaim-safety route is called by each role with valid input, then the exact status of the policy comes back', async () => {
    const created = await api.call('post', '/api/v1/profiles', { body: { displayName: 'Auth exact' } });
    const id = (created.json as { id: string }).id;
    const rule: SeededRule = await seedRule(api, id);
    await seedSnapshot(api, id, 'run_authexact01', 1);
    await api.models.AuditEntry.create({
      at: new Date(),
      profileId: id,
      action: 'stop',
      actor: 'x',
      outcome: 'stopped',
    });
    const undo = await api.models.ReclaimUndo.create({
      profileId: id,
      scope: { runId: 'run_authexact01' },
      requestedBy: 'x',
      requestedAt: new Date(),
    });
    // A candidate per role and decision, in a status the decision moves, so every allowed call succeeds.
    let next = 1;
    const candidateFor = async (status: CandidateStatus) => seedCandidate(api, id, next++, status, rule);
    const FROM: Record<string, CandidateStatus> = {
      approve: 'pending',
      reject: 'pending',
      withdraw: 'ready',
      retry: 'failed',
    };
    const p = `/api/v1/profiles/${id}`;
    const cand = `${p}/removal-candidates`;
    type Call = { method: string; path: string; body?: unknown };
    const routes: {
      name: string;
      call: (role: Role) => Promise<Call>;
      status: Partial<Record<Role, number>>;
    }[] = [
      ...Object.entries(FROM).flatMap(([decision, from]) => [
        {
          name: `decisions ${decision}`,
          call: async () => ({
            method: 'post',
            path: `${cand}/decisions`,
            body: { decision, ids: [await candidateFor(from)] },
          }),
          status: { admin: 200, integrator: 200 },
        },
        {
          name: `single ${decision}`,
          call: async () => ({
            method: 'post',
            path: `${cand}/${encodeURIComponent(await candidateFor(from))}/${decision}`,
          }),
          status: { admin: 200, integrator: 200 },
        },
      ]),
      {
        name: 'profile stop',
        call: async () => ({ method: 'post', path: `${p}/reclaim/stop`, body: { reason: 'r' } }),
        status: { admin: 200, integrator: 200, operator: 200 },
      },
      {
        name: 'profile resume',
        call: async () => ({ method: 'post', path: `${p}/reclaim/resume` }),
        status: { admin: 200, integrator: 200 },
      },
      {
        name: 'global stop',
        call: async () => ({ method: 'post', path: '/api/v1/reclaim/stop' }),
        status: { admin: 200, integrator: 200, operator: 200 },
      },
      {
        name: 'global resume',
        call: async () => ({ method: 'post', path: '/api/v1/reclaim/resume' }),
        status: { admin: 200 },
      },
      {
        name: 'global switch',
        call: async () => ({ method: 'get', path: '/api/v1/reclaim/switch' }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'audit',
        call: async () => ({ method: 'get', path: `${p}/audit?limit=5` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'audit csv',
        call: async () => ({ method: 'get', path: `${p}/audit.csv` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'audit format=csv',
        call: async () => ({ method: 'get', path: `${p}/audit?format=csv` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'undo',
        call: async () => ({ method: 'post', path: `${p}/undo`, body: { runId: 'run_authexact01' } }),
        status: { admin: 202, integrator: 202 },
      },
      {
        name: 'undos',
        call: async () => ({ method: 'get', path: `${p}/undos` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'one undo',
        call: async () => ({ method: 'get', path: `${p}/undos/${String(undo._id)}` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'snapshots',
        call: async () => ({ method: 'get', path: `${p}/reclaim-snapshots?userId=${userId(1)}` }),
        status: { admin: 200, integrator: 200, operator: 200, viewer: 200 },
      },
      {
        name: 'reclamation rule create',
        call: async (role) => ({
          method: 'post',
          path: `${p}/reclamation-rules`,
          body: { identifier: `X:${role}`, name: 'x', deactivateNow: true, freezeDays: 3 },
        }),
        status: { admin: 201, integrator: 201 },
      },
      {
        name: 'reclamation rule update',
        call: async () => ({
          method: 'patch',
          path: `${p}/reclamation-rules/${String(rule._id)}`,
          body: { freezeDays: 10 },
        }),
        status: { admin: 200, integrator: 200 },
      },
    ];
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const role of ROLES) {
        const call = await route.call(role);
        const res = await api.call(call.method, call.path, { token: role, body: call.body });
        const expected = route.status[role] ?? 403;
        if (res.status !== expected)
          mismatches.push(
            `${route.name} as ${role} → ${res.status}, expected ${expected} ${res.text.slice(0, 100)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
    // The table covers every route this work added (a new one must be listed here).
    const covered = RECLAIM_COVERED;
    const reclaimTagged = api.app.routeTable
      .filter((r) => r.tag === 'reclaim' || r.path.includes('/removal-candidates/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(reclaimTagged.sort()).toEqual([...covered].sort());
  }, 120_000);

  it('when every other route is called by each role with valid input, then the exact status of the policy comes back, and together the two tables cover every route', async () => {
    const { profileId, aliasId } = await readyProfile('reads');
    const ruleIds: Record<string, string> = {};
    for (const [segment, body] of [
      ['exclusion-rules', { kind: 'username_pattern', value: '*@fixture.example' }],
      ['reclamation-rules', { identifier: 'Z:fixed', name: 'z' }],
    ] as const) {
      const res = await api.call('post', `/api/v1/profiles/${profileId}/${segment}`, { body });
      ruleIds[segment] = (res.json as { id: string }).id;
    }
    const cases = exactCases({ profileId, aliasId, ruleIds });
    const mismatches: string[] = [];
    for (const c of cases) {
      const [method] = c.route.split(' ') as [string];
      for (const role of ROLES) {
        const call = await c.call(role);
        const res = await api.call(method, call.path, { token: role, body: call.body });
        const expected = c.status[role] ?? 403;
        if (res.status !== expected)
          mismatches.push(
            `${c.route} as ${role} → ${res.status}, expected ${expected} ${res.text.slice(0, 100)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
    const covered = new Set([
      ...cases.map((c) => c.route.replace(/\?.*$/, '')),
      ...RECLAIM_COVERED,
      'post /api/v1/profiles/:id/reclamation-rules',
      'patch /api/v1/profiles/:id/reclamation-rules/:ruleId',
    ]);
    const missing = api.app.routeTable.map((r) => `${r.method} ${r.path}`).filter((r) => !covered.has(r));
    expect(missing).toEqual([]);
  }, 180_000);
});
