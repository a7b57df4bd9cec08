/** OpenAPI 3.1 built from the route table's zod schemas, so the document cannot drift from the code. */
import { z } from 'zod';
import type { RouteDef } from './http/route.js';
import { problemSchema } from './http/problem.js';

type Json = Record<string, unknown>;

/** Named schemas (`.meta({ id })`) go to `components.schemas`, referenced from the operations. */
const components: Record<string, Json> = {};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const raw = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  const json = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$defs;
  // Input and output shapes differ (defaults); the input one names the component.
  for (const [name, def] of Object.entries(defs))
    if (io === 'input' || !components[name]) components[name] = def;
  return json;
}

/** Resolves a top-level component reference (query/path parameters are listed one by one). */
function resolved(json: Json): Json {
  if (typeof json.$ref === 'string')
    return components[json.$ref.replace('#/components/schemas/', '')] ?? json;
  return json;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function parametersOf(route: RouteDef): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = resolved(schemaOf(schema, 'input')) as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: prop,
      });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly RouteDef[]): Json {
  for (const name of Object.keys(components)) delete components[name];
  const paths: Record<string, Json> = {};
  const problem = { 'application/problem+json': { schema: schemaOf(problemSchema, 'output') } };
  for (const route of routes) {
    const status = String(route.status ?? 200);
    const content: Json = {};
    if (route.response) content['application/json'] = { schema: schemaOf(route.response, 'output') };
    for (const type of route.streams ?? []) content[type] = { schema: { type: 'string' } };
    const responses: Json = {
      [status]:
        Object.keys(content).length > 0 ? { description: 'success', content } : { description: 'success' },
      '400': { description: 'invalid input (names the fields)', content: problem },
      '401': { description: 'missing or unknown bearer token', content: problem },
      '403': { description: `role too low (allowed: ${route.roles.join(', ')})`, content: problem },
      '404': { description: 'not found', content: problem },
      '409': { description: 'conflict', content: problem },
    };
    const op: Json = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      security: [{ bearer: [] }],
      'x-roles': route.roles,
      parameters: parametersOf(route),
      responses,
    };
    if (route.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    const key = openApiPath(route.path);
    paths[key] = { ...(paths[key] ?? {}), [route.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'seatwise admin API', version: '1' },
    components: {
      schemas: { ...components },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    paths,
  };
}
