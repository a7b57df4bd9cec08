/**
 * The console's only way to the server: same-origin fetches authenticated by the session cookie.
 * Every answer is parsed with zod before a page sees it, and a problem+json answer becomes an
 * ApiError carrying the server's message and the fields it names, so forms can say what to fix.
 */
import { z } from 'zod';

// zod compiles parsers with `new Function` unless told not to; the console's CSP forbids eval.
z.config({ jitless: true });

const problemSchema = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | undefined,
    readonly fields: { field: string; message: string }[],
  ) {
    super(message);
  }
}

async function problemOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  let parsed: z.infer<typeof problemSchema> = {};
  try {
    const result = problemSchema.safeParse(JSON.parse(text));
    if (result.success) parsed = result.data;
  } catch {
    // Not JSON (a proxy's page): the status line is all there is to say.
  }
  const fields = parsed.errors ?? [];
  const detail = parsed.detail ?? parsed.title ?? `${res.status} ${res.statusText}`;
  const message = fields.length
    ? `${detail}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`
    : detail;
  return new ApiError(res.status, message, parsed.code, fields);
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  schema: z.ZodType<T>,
  body?: unknown,
): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && path.startsWith('/api/')) {
    // The session ended (expired, logged out elsewhere, token removed): back to the login form.
    location.assign('/admin/');
  }
  if (!res.ok) throw await problemOf(res);
  const text = await res.text();
  const parsed = schema.safeParse(text === '' ? undefined : JSON.parse(text));
  if (!parsed.success) throw new Error(`unexpected answer from ${method} ${path}: ${parsed.error.message}`);
  return parsed.data;
}

export const get = <T>(path: string, schema: z.ZodType<T>) => request('GET', path, schema);

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const seg = (value: string) => encodeURIComponent(value);
