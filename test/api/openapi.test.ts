import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './apiHarness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: Record<
            string,
            { schema: { properties?: Record<string, unknown>; additionalProperties?: unknown } }
          >;
        };
        'x-roles': string[];
        parameters: { name: string; in: string }[];
      }
    >
  >;
};

describe('OpenAPI', () => {
  it('when the document is fetched, then it is 3.1 and describes every route of the table with its roles', async () => {
    const res = await api.call('get', '/api/v1/openapi.json', { token: 'viewer' });
    expect(res.status).toBe(200);
    const doc = res.json as Doc;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of api.app.routeTable) {
      const op = doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op!['x-roles']).toEqual([...route.roles]);
    }
  });

  it('when the profile create body is described, then it is the strict zod schema (no extra properties, subflows, schedule)', async () => {
    const doc = (await api.call('get', '/api/v1/openapi.json')).json as Doc;
    const ref = doc.paths['/api/v1/profiles']!.post!.requestBody!.content['application/json']!.schema as {
      $ref?: string;
    };
    expect(ref.$ref).toBe('#/components/schemas/ProfileCreate');
    const schema = (
      doc as unknown as {
        components: {
          schemas: Record<
            string,
            Doc['paths'][string][string]['requestBody'] & {
              properties?: Record<string, unknown>;
              additionalProperties?: unknown;
            }
          >;
        };
      }
    ).components.schemas.ProfileCreate!;
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(['displayName', 'subflows', 'schedule', 'aliasId']),
    );
    expect(schema.additionalProperties).toBe(false);
    const list = doc.paths['/api/v1/profiles']!.get!;
    expect(list.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'status']));
  });

  it('when the reclaim-safety routes are described, then decisions, undo, stop, rules and the CSV export show their real shapes', async () => {
    const doc = (await api.call('get', '/api/v1/openapi.json')).json as Doc & {
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    };
    const schemas = doc.components.schemas;
    const decision = schemas.CandidateDecision!.properties!;
    expect((decision.decision as { enum: string[] }).enum).toEqual([
      'approve',
      'reject',
      'withdraw',
      'retry',
    ]);
    expect((decision.ids as { maxItems: number }).maxItems).toBe(10_000);
    expect(Object.keys(schemas.UndoRequest!.properties!)).toEqual(['runId', 'userIds']);
    expect(Object.keys(schemas.ReclaimStopRequest!.properties!)).toEqual(['reason']);
    expect(schemas.ReclamationRuleCreate!.properties!.freezeDays).toMatchObject({ minimum: 0, maximum: 365 });
    expect(Object.keys(schemas.ReclamationRuleUpdate!.properties!)).toEqual(
      expect.arrayContaining(['deactivateNow', 'freezeDays', 'freezeOnRefusal']),
    );
    expect(Object.keys(schemas.Profile!.properties!)).toContain('reclaimStop');
    type Op = { responses: Record<string, { content?: Record<string, unknown> }> };
    const paths = doc.paths as unknown as Record<string, Record<string, Op>>;
    expect(Object.keys(paths['/api/v1/profiles/{id}/audit.csv']!.get!.responses['200']!.content!)).toEqual([
      'text/csv',
    ]);
    expect(Object.keys(paths['/api/v1/profiles/{id}/audit']!.get!.responses['200']!.content!)).toEqual([
      'application/json',
      'text/csv',
    ]);
    expect(paths['/api/v1/profiles/{id}/undo']!.post!.responses['202']).toBeDefined();
    expect(doc.paths['/api/v1/reclaim/resume']!.post!['x-roles']).toEqual(['admin']);
    expect(doc.paths['/api/v1/reclaim/stop']!.post!['x-roles']).toEqual(['admin', 'integrator', 'operator']);
  });
});
