/**
 * Drives seatwise through its public HTTP API only, the way an admin follows the seed's setup:
 * alias → OAuth → profile → validate → publish, then waits for the run. Used by the demo and the
 * benchmark; every response is parsed so a contract change fails here with the step's name.
 */
import { z } from 'zod';

export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

export interface ApiDriver {
  call<T>(step: string, method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T>;
  /** The cookies the api has set so far, as a browser would send them back (`name=value; …`). */
  cookies(): string;
}

export function createApiDriver(baseUrl: string, token: string): ApiDriver {
  // What a browser's cookie jar does for us here: the OAuth start binds the flow to this "browser".
  const jar = new Map<string, string>();
  return {
    cookies: () => [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    async call(step, method, path, schema, body) {
      let res: Response;
      try {
        res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new StepError(step, `${method} ${path} failed: ${(error as Error).message}`);
      }
      for (const cookie of res.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const at = pair.indexOf('=');
        if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
      }
      const text = await res.text();
      if (!res.ok) throw new StepError(step, `${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
      const parsed = schema.safeParse(text === '' ? undefined : JSON.parse(text));
      if (!parsed.success)
        throw new StepError(step, `unexpected response from ${method} ${path}: ${parsed.error.message}`);
      return parsed.data;
    },
  };
}

const idOnly = z.object({ id: z.string() });
const started = z.object({ runId: z.string() });
export const jobRunSchema = z.object({
  runId: z.string(),
  jobName: z.string(),
  status: z.string(),
  queuedAt: z.string(),
  startedAt: z.string().nullable().optional(),
  finishedAt: z.string().nullable().optional(),
  counts: z
    .object({ records: z.number(), pages: z.number(), apiCalls: z.number(), writes: z.number() })
    .optional(),
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).nullable().optional(),
});
export type JobRunView = z.infer<typeof jobRunSchema>;
const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number() });
const profileView = z.object({
  id: z.string(),
  status: z.string(),
  lastValidation: z
    .object({
      runId: z.string(),
      ok: z.boolean(),
      checks: z.array(
        z.object({ name: z.string(), ok: z.boolean(), detail: z.string().nullable().optional() }),
      ),
    })
    .nullable(),
});

export interface OrgToConnect {
  displayName: string;
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  grantType: 'authorization_code' | 'client_credentials';
  /** Child alias of this parent (every profile after the first). */
  parentAliasId?: string;
  reclaim?: boolean;
}

export interface ConnectedProfile {
  profileId: string;
  aliasId: string;
}

async function authorizeInBrowser(api: ApiDriver, aliasId: string, step: string): Promise<void> {
  const { authorizeUrl } = await api.call(
    step,
    'POST',
    `/api/v1/aliases/${aliasId}/oauth/start`,
    z.object({ authorizeUrl: z.string() }),
    {},
  );
  // What the admin's browser does: Salesforce redirects to our callback with code and state.
  const consent = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = consent.headers.get('location');
  if (consent.status !== 302 || !location)
    throw new StepError(step, `authorize page answered ${consent.status}, no redirect`);
  // Back in the browser that started the flow: it carries the binding cookie the start set.
  const callback = await fetch(location, { redirect: 'manual', headers: { cookie: api.cookies() } });
  const page = await callback.text();
  if (callback.status !== 200)
    throw new StepError(step, `OAuth callback answered ${callback.status}: ${page.slice(0, 300)}`);
}

/** Alias (parent or child), its OAuth grant, and a draft profile using it. */
export async function connectOrg(api: ApiDriver, org: OrgToConnect): Promise<ConnectedProfile> {
  const alias = await api.call('create alias', 'POST', '/api/v1/aliases', idOnly, {
    name: `${org.displayName} connection`,
    instanceUrl: org.instanceUrl,
    grantType: org.grantType,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    ...(org.parentAliasId ? { parentId: org.parentAliasId } : {}),
  });
  if (org.grantType === 'authorization_code')
    await authorizeInBrowser(api, alias.id, 'OAuth authorization code');
  else
    await api.call(
      'OAuth client credentials',
      'POST',
      `/api/v1/aliases/${alias.id}/oauth/token`,
      z.unknown(),
      {},
    );
  const profile = await api.call('create profile', 'POST', '/api/v1/profiles', idOnly, {
    displayName: org.displayName,
    aliasId: alias.id,
    ...(org.reclaim === undefined ? {} : { subflows: { reclaimSubscriptions: org.reclaim } }),
  });
  return { profileId: profile.id, aliasId: alias.id };
}

export async function pollUntil<T>(
  step: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new StepError(step, `not done after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function validateProfile(api: ApiDriver, profileId: string, timeoutMs = 120_000): Promise<void> {
  const { runId } = await api.call('validate', 'POST', `/api/v1/profiles/${profileId}/validate`, started, {});
  const profile = await pollUntil('validate', timeoutMs, async () => {
    const p = await api.call('validate', 'GET', `/api/v1/profiles/${profileId}`, profileView);
    return p.lastValidation?.runId === runId ? p : undefined;
  });
  if (!profile.lastValidation?.ok) {
    const failed = profile.lastValidation?.checks
      .filter((c) => !c.ok)
      .map((c) => `${c.name}: ${c.detail ?? 'failed'}`);
    throw new StepError('validate', `validation failed: ${failed?.join('; ')}`);
  }
}

export async function publishProfile(api: ApiDriver, profileId: string): Promise<string> {
  const { runId } = await api.call('publish', 'POST', `/api/v1/profiles/${profileId}/publish`, started, {});
  return runId;
}

export async function runJobs(api: ApiDriver, profileId: string, runId: string): Promise<JobRunView[]> {
  const page = await api.call(
    'job history',
    'GET',
    `/api/v1/profiles/${profileId}/runs?runId=${encodeURIComponent(runId)}&limit=50`,
    pageOf(jobRunSchema),
  );
  return page.items;
}

/** Total of a results list (one cheap call: limit 1). */
export async function countOf(
  api: ApiDriver,
  profileId: string,
  resource: string,
  query = '',
): Promise<number> {
  const page = await api.call(
    `read ${resource}`,
    'GET',
    `/api/v1/profiles/${profileId}/${resource}?limit=1${query}`,
    pageOf(z.unknown()),
  );
  return page.total;
}

export async function listAll<T>(
  api: ApiDriver,
  profileId: string,
  resource: string,
  item: z.ZodType<T>,
  query = '',
): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api.call(
      `read ${resource}`,
      'GET',
      `/api/v1/profiles/${profileId}/${resource}?limit=500&offset=${offset}${query}`,
      pageOf(item),
    );
    out.push(...page.items);
    if (page.items.length < 500) return out;
  }
}

export const candidateItem = z.object({
  id: z.string(),
  identifier: z.string(),
  status: z.string(),
  deactivateAfter: z.string().nullish(),
});

/**
 * Approves up to `count` pending user-license candidates (the ones whose reclaim frees a seat),
 * 500 per decision request; returns how many it approved.
 */
/** Ids of up to `count` pending user-license candidates, paging only as far as needed. */
export async function pendingUserLicenseIds(
  api: ApiDriver,
  profileId: string,
  count: number,
  query = '',
): Promise<string[]> {
  // Page only as far as needed: listing every pending candidate to approve a handful is most of
  // the time an approval takes on a big org.
  const ids: string[] = [];
  for (let offset = 0; ids.length < count; offset += 500) {
    const page = await api.call(
      'read removal-candidates',
      'GET',
      `/api/v1/profiles/${profileId}/removal-candidates?limit=500&offset=${offset}&status=pending${query}`,
      pageOf(candidateItem),
    );
    for (const c of page.items) if (c.identifier.startsWith('UL:') && ids.length < count) ids.push(c.id);
    if (page.items.length < 500) break;
  }
  return ids;
}

/** Approves `ids` through the decisions endpoint, `perRequest` at a time. */
export async function approveIds(
  api: ApiDriver,
  profileId: string,
  ids: readonly string[],
  perRequest = 500,
): Promise<void> {
  for (let i = 0; i < ids.length; i += perRequest) {
    await api.call(
      'approve candidates',
      'POST',
      `/api/v1/profiles/${profileId}/removal-candidates/decisions`,
      z.unknown(),
      { decision: 'approve', ids: ids.slice(i, i + perRequest) },
    );
  }
}

export async function approveUserLicenseCandidates(
  api: ApiDriver,
  profileId: string,
  count: number,
  query = '',
  perRequest = 500,
): Promise<number> {
  const ids = await pendingUserLicenseIds(api, profileId, count, query);
  await approveIds(api, profileId, ids, perRequest);
  return ids.length;
}
