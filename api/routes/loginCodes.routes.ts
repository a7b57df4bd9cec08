import { z } from 'zod';
import { ROLE_SETS } from '../http/auth.js';
import { issueLoginCode } from '../http/loginCodes.js';
import { ApiProblem } from '../http/problem.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { ApiServices } from '../services/apiServices.js';

const loginCodeSchema = z.object({ code: z.string(), expiresAt: z.string() }).meta({ id: 'LoginCode' });

export function loginCodeRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/login-codes',
      tag: 'meta',
      summary:
        "A one-time login code for the admin console, standing for the caller's own token (same name and role); valid once, for 10 minutes",
      roles: ROLE_SETS.configure,
      response: loginCodeSchema,
      status: 201,
      handle: async ({ actor }) => {
        const entry = s.config.api.tokens.find((t) => t.name === actor.name && t.role === actor.role);
        // A session's actor always has its entry; the check keeps a removed token from minting codes.
        if (!entry) throw new ApiProblem(403, 'FORBIDDEN', 'this token is no longer configured');
        return { status: 201, body: await issueLoginCode(s.redis, s.config.redis.prefix, entry) };
      },
    }),
  ];
}
