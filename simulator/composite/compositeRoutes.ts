/**
 * `POST /composite`: up to 25 subrequests run in order in one call, which counts once against the
 * org's API allowance (REST API Developer Guide, "Composite"; Composite Batch, which counts each
 * subrequest, is another resource). At most 5 of them may be queries or sObject Collections
 * operations. Each answer is `{body, httpHeaders, httpStatusCode, referenceId}`; a failed
 * subrequest's body is the usual error array and, with `allOrNone` false, the others still run.
 *
 * Refused here as Salesforce refuses them: a body that is not a composite request, no subrequest
 * or more than 25, more than 5 queries, a reference id that is not letters, digits and underscores
 * starting with a letter or that repeats, a url outside `/services/data/vXX.X/`, and a subrequest
 * that sets Accept, Authorization or Content-Type. Not imitated, so refused instead of answered
 * loosely: references between subrequests (`@{ref.field}`), `allOrNone` true (it would have to
 * roll writes back), and a composite request nested in another.
 */
import { z } from 'zod';
import { matchRoute, type RestContext, type RestResult, type RestRoute } from '../restRouting.js';
import { errorResult, isServedVersion } from '../restPipeline.js';
import { notFound, parseJsonBody, SalesforceApiError } from '../salesforceErrors.js';

const MAX_SUBREQUESTS = 25;
const MAX_QUERIES = 5;
const REFERENCE_ID = /^[A-Za-z][A-Za-z0-9_]*$/;
const SUBREQUEST_URL = /^\/services\/data\/v(\d{2,3}\.0)\/([^?#]*)(?:\?([^#]*))?$/;
const INHERITED_HEADERS = new Set(['accept', 'authorization', 'content-type']);

const subrequestSchema = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
  url: z.string().min(1),
  referenceId: z.string().min(1),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional(),
});
const compositeSchema = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(subrequestSchema),
});
type Subrequest = z.infer<typeof subrequestSchema>;

const invalid = (message: string) => new SalesforceApiError(400, 'INVALID_INPUT', message);

function isQueryPath(path: string): boolean {
  return /^(query|queryAll)(\/|$)/.test(path) || /^composite\/sobjects(\/|$)/.test(path);
}

interface Parsed {
  sub: Subrequest;
  version: string;
  segments: string[];
  query: URLSearchParams;
}

function parseRequest(text: string): Parsed[] {
  const parsed = compositeSchema.safeParse(parseJsonBody(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize the composite request: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? ''}`,
    );
  }
  const { compositeRequest, allOrNone } = parsed.data;
  if (allOrNone) throw invalid('allOrNone true is not supported by this simulator');
  if (compositeRequest.length === 0) throw invalid('compositeRequest must hold at least one subrequest');
  if (compositeRequest.length > MAX_SUBREQUESTS)
    throw invalid(`A composite request can have at most ${MAX_SUBREQUESTS} subrequests`);
  const seen = new Set<string>();
  const subs = compositeRequest.map((sub): Parsed => {
    if (!REFERENCE_ID.test(sub.referenceId))
      throw invalid(`Invalid reference id: ${sub.referenceId.slice(0, 80)}`);
    if (seen.has(sub.referenceId)) throw invalid(`Duplicate reference id: ${sub.referenceId}`);
    seen.add(sub.referenceId);
    const url = SUBREQUEST_URL.exec(sub.url);
    if (!url) throw invalid(`The url of ${sub.referenceId} must start with /services/data/vXX.X/`);
    if (sub.url.includes('@{') || JSON.stringify(sub.body ?? null).includes('@{'))
      throw invalid(`references between subrequests are not supported by this simulator`);
    for (const name of Object.keys(sub.httpHeaders ?? {}))
      if (INHERITED_HEADERS.has(name.toLowerCase()))
        throw invalid(`A subrequest may not set the ${name} header`);
    const path = url[2] ?? '';
    if (path === 'composite') throw invalid('A composite request cannot hold another one');
    return {
      sub,
      version: url[1] ?? '',
      segments: path.split('/').filter((s) => s.length > 0),
      query: new URLSearchParams(url[3] ?? ''),
    };
  });
  if (subs.filter((s) => isQueryPath(s.segments.join('/'))).length > MAX_QUERIES)
    throw invalid(
      `A composite request can have at most ${MAX_QUERIES} query or sObject Collections subrequests`,
    );
  return subs;
}

const lowerCased = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

async function runSubrequest(
  ctx: RestContext,
  routes: readonly RestRoute[],
  { sub, version, segments, query }: Parsed,
): Promise<RestResult> {
  const match = isServedVersion(Number.parseInt(version, 10))
    ? matchRoute(routes, sub.method, segments)
    : ({ kind: 'none' } as const);
  if (match.kind === 'none') return errorResult(notFound());
  if (match.kind === 'wrongMethod') {
    const error = new SalesforceApiError(
      405,
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${sub.method}' not allowed. Allowed are ${match.allowed.join(',')}`,
    );
    return errorResult(error);
  }
  try {
    return await match.route.handler({
      ...ctx,
      version,
      method: sub.method,
      params: match.params,
      query,
      headers: { ...ctx.headers, ...lowerCased(sub.httpHeaders ?? {}) },
      body: sub.body === undefined ? '' : JSON.stringify(sub.body),
    });
  } catch (error) {
    if (error instanceof SalesforceApiError) return errorResult(error);
    throw error;
  }
}

/** The composite resource, dispatching its subrequests to `routes` (every other REST route). */
export function compositeRoutes(routes: () => readonly RestRoute[]): RestRoute[] {
  return [
    {
      method: 'POST',
      path: 'composite',
      async handler(ctx) {
        const subs = parseRequest(ctx.body);
        const compositeResponse: unknown[] = [];
        let records = 0;
        const written: string[] = [];
        for (const parsed of subs) {
          const result = await runSubrequest(ctx, routes(), parsed);
          records += result.records ?? 0;
          if (result.written) written.push(...result.written);
          compositeResponse.push({
            body: result.json ?? null,
            httpHeaders: result.headers ?? {},
            httpStatusCode: result.status,
            referenceId: parsed.sub.referenceId,
          });
        }
        return { status: 200, json: { compositeResponse }, records, ...(written.length ? { written } : {}) };
      },
    },
  ];
}
