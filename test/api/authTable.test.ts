/**
 * Walks every route the app registered (read back from Express's router, so a new route cannot
 * escape) with no token, an unknown token and each role, against the permission policy below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../shared/config.js';
import { startApi, type ApiHarness } from './apiHarness.js';

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
});
