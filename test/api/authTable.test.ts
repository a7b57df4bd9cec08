/**
 * Walks every route the app registered (read back from Express's router, so a new route cannot
 * escape) with no token, an unknown token and each role, against the permission policy below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../shared/config.js';
import type { CandidateStatus } from '../../shared/db/models/removalCandidate.model.js';
import { startApi, type ApiHarness } from './apiHarness.js';
import { seedCandidate, seedRule, seedSnapshot, userId, type SeededRule } from './reclaimFixtures.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
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
    const covered = [
      'post /api/v1/profiles/:id/removal-candidates/decisions',
      ...Object.keys(FROM).map((d) => `post /api/v1/profiles/:id/removal-candidates/:candidateId/${d}`),
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
    const reclaimTagged = api.app.routeTable
      .filter((r) => r.tag === 'reclaim' || r.path.includes('/removal-candidates/'))
      .map((r) => `${r.method} ${r.path}`);
    expect(reclaimTagged.sort()).toEqual([...covered].sort());
  }, 120_000);
});
