/**
 * A small router for the REST data API below `/services/data/vNN.N/`: exact segment patterns, so a
 * known path with the wrong method is a 405 listing the allowed methods and anything else a 404.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimOrg } from './org/simOrg.js';
import type { SimulatorEnv } from './simulatorEnv.js';

export interface RestContext {
  env: SimulatorEnv;
  org: SimOrg;
  /** e.g. "62.0" */
  version: string;
  userIndex: number;
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RestResult {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Records returned, for the per-record latency. */
  records?: number;
  /** Bulk CSV rows returned, for the (cheaper) per-row bulk latency. */
  bulkRecords?: number;
  /** Records a write changed (ids), kept in the call log so tests can count writes per record. */
  written?: string[];
}

export type RestHandler = (ctx: RestContext) => RestResult | Promise<RestResult>;

export interface RestRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  handler: RestHandler;
}

export type RouteMatch =
  | { kind: 'found'; route: RestRoute; params: Record<string, string> }
  | { kind: 'wrongMethod'; allowed: string[] }
  | { kind: 'none' };

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i] ?? '';
    const actual = segments[i] ?? '';
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return undefined;
  }
  return params;
}

export function matchRoute(routes: readonly RestRoute[], method: string, segments: string[]): RouteMatch {
  const candidates = routes
    .map((route) => {
      const pattern = route.path === '' ? [] : route.path.split('/');
      return {
        route,
        params: matchPath(pattern, segments),
        literals: pattern.filter((p) => !p.startsWith(':')).length,
      };
    })
    .filter(
      (c): c is { route: RestRoute; params: Record<string, string>; literals: number } =>
        c.params !== undefined,
    );
  if (candidates.length === 0) return { kind: 'none' };
  const best = Math.max(...candidates.map((c) => c.literals));
  const mostSpecific = candidates.filter((c) => c.literals === best);
  const wanted = method === 'HEAD' ? 'GET' : method;
  const hit = mostSpecific.find((c) => c.route.method === wanted);
  if (hit) return { kind: 'found', route: hit.route, params: hit.params };
  const allowed = mostSpecific.flatMap((c) =>
    c.route.method === 'GET' ? ['GET', 'HEAD'] : [c.route.method],
  );
  return { kind: 'wrongMethod', allowed };
}
