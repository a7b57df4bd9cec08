/**
 * RFC 9457 problem details. Every error the api answers with is a {@link ApiProblem}: a stable
 * `code` clients branch on, a human `detail`, and for validation errors the offending fields.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../shared/logger.js';
import { unavailableDependency, type Dependency } from '../../shared/dependencyErrors.js';
import { SeatwiseError } from '../../shared/errors.js';

/** Set on `res.locals` once a request's time limit answered for it (see failFast.ts). */
export const TIMED_OUT = 'seatwiseTimedOut';

export interface FieldProblem {
  /** Dotted path of the field (`body.schedule.cron`, `query.limit`, `params.id`). */
  field: string;
  message: string;
}

export class ApiProblem extends SeatwiseError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message, extra);
  }
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export function validationProblem(errors: FieldProblem[], status = 400): ApiProblem {
  const fields = errors.map((e) => e.field).join(', ');
  return new ApiProblem(status, 'VALIDATION_FAILED', `invalid input: ${fields}`, { errors });
}

export function fieldsOf(error: z.ZodError, location: string): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const base = [location, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${base}.${key}`, message: 'is not a known field' }));
    }
    return [{ field: base, message: issue.message }];
  });
}

export function notFound(what: string, id: string): ApiProblem {
  return new ApiProblem(404, 'NOT_FOUND', `${what} ${id} does not exist`, { resource: what, id });
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [key: string]: unknown;
}

export function problemBody(problem: ApiProblem, instance?: string): ProblemBody {
  return {
    type: `https://seatwise.dev/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    code: problem.code,
    detail: problem.message,
    ...(instance ? { instance } : {}),
    ...problem.extra,
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Seconds a client should wait before retrying a 503 (a Redis or MongoDB reconnect takes ~1–2 s). */
export const RETRY_AFTER_SECONDS = 5;

function dependencyProblem(dependency: Dependency): ApiProblem {
  return new ApiProblem(
    503,
    'DEPENDENCY_UNAVAILABLE',
    `${dependency === 'redis' ? 'Redis' : 'MongoDB'} cannot be reached right now; try again shortly`,
    { dependency },
  );
}

/**
 * Errors the pipeline and the shared code raise on purpose, as the client should see them. Anything
 * else that is a SeatwiseError but not listed here is a bug on our side (500).
 */
function expectedProblem(error: SeatwiseError): ApiProblem | null {
  switch (error.code) {
    // The profile went away between our read and the pipeline's (a concurrent delete).
    case 'PROFILE_NOT_FOUND':
      return new ApiProblem(404, 'NOT_FOUND', 'the profile does not exist (any more)');
    case 'RUN_CLAIM_CONTENDED':
      return new ApiProblem(
        409,
        'RUN_CLAIM_CONTENDED',
        'another request is starting a run of this profile; try again',
      );
    case 'SCHEDULE_INVALID':
      return new ApiProblem(400, 'SCHEDULE_INVALID', "the profile's schedule cannot be registered", {
        errors: [{ field: 'profile.schedule', message: error.message }],
      });
    case 'RUN_ENQUEUE_FAILED':
      return new ApiProblem(
        503,
        'RUN_ENQUEUE_FAILED',
        'the run could not be queued; nothing was started, try again',
      );
    case 'PROFILE_HAS_NO_ALIAS':
    case 'ALIAS_NOT_FOUND':
      return new ApiProblem(422, 'PREREQUISITE_MISSING', error.message, {
        errors: [{ field: 'profile.aliasId', message: error.message }],
      });
    case 'ILLEGAL_CANDIDATE_MOVE':
      return new ApiProblem(409, 'INVALID_TRANSITION', error.message);
    default:
      return null;
  }
}

/** Turns whatever reached Express into a problem; only unexpected errors are logged (once, here). */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const dependency = unavailableDependency(error);
  if (dependency) return dependencyProblem(dependency);
  if (error instanceof SeatwiseError) {
    const expected = expectedProblem(error);
    if (expected) return expected;
  }
  const parser = error as BodyParserError;
  if (parser && typeof parser === 'object') {
    if (parser.type === 'entity.parse.failed') {
      return new ApiProblem(400, 'MALFORMED_JSON', 'the request body is not valid JSON', {
        errors: [{ field: 'body', message: 'is not valid JSON' }],
      });
    }
    if (parser.type === 'entity.too.large') {
      return new ApiProblem(413, 'BODY_TOO_LARGE', `the request body exceeds ${parser.limit ?? '?'} bytes`, {
        errors: [{ field: 'body', message: 'is too large' }],
      });
    }
    if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
      return new ApiProblem(parser.status, 'BAD_REQUEST', 'the request could not be read', {
        errors: [{ field: 'body', message: parser.type ?? 'unreadable' }],
      });
    }
  }
  return new ApiProblem(500, 'INTERNAL', 'an unexpected error occurred');
}

export function problemMiddleware(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const problem = toProblem(error);
    if (res.locals[TIMED_OUT] === true) {
      // Already answered 503 REQUEST_TIMEOUT; what failed afterwards is only worth a line.
      if (problem.status >= 500) {
        const e = error as { code?: unknown; message?: unknown };
        log.warn(
          { method: req.method, path: req.path, errCode: e?.code, errMessage: e?.message },
          'failed after its timeout',
        );
      }
      return;
    }
    if (res.headersSent) {
      // A streamed answer failed midway: no status can be sent any more, so the connection is cut
      // (the client sees an incomplete response, never a short one that looks whole).
      const e = error as { code?: unknown; message?: unknown };
      log.error(
        { method: req.method, path: req.path, errCode: e?.code, errMessage: e?.message },
        'streamed answer failed',
      );
      res.destroy();
      return;
    }
    if (problem.status >= 500) {
      // Only the error's code and message: request bodies may hold secrets. An outage of Redis or
      // MongoDB is expected and answered 503: a warning, not an error.
      const e = error as { code?: unknown; message?: unknown; name?: unknown };
      log[problem.status === 503 ? 'warn' : 'error'](
        { method: req.method, path: req.path, errCode: e?.code, errName: e?.name, errMessage: e?.message },
        'request failed',
      );
    }
    sendProblem(res, problem, req.path);
  };
}

export function sendProblem(res: Response, problem: ApiProblem, instance?: string): void {
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="seatwise"');
  if (problem.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(problem, instance)));
}
