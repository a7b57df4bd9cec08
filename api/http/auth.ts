/** Bearer tokens from config (stored as SHA-256), each with a role. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiTokenEntry, Role } from '../../shared/config.js';
import { ApiProblem } from './problem.js';

export interface Actor {
  name: string;
  role: Role;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The token's entry, compared in constant time so response timing does not leak hash prefixes. */
export function actorForToken(token: string, tokens: readonly ApiTokenEntry[]): Actor | null {
  const digest = Buffer.from(sha256Hex(token), 'hex');
  let found: Actor | null = null;
  for (const entry of tokens) {
    const candidate = Buffer.from(entry.sha256, 'hex');
    if (candidate.length === digest.length && timingSafeEqual(candidate, digest)) {
      found = { name: entry.name, role: entry.role };
    }
  }
  return found;
}

export function bearerOf(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function authenticate(header: string | undefined, tokens: readonly ApiTokenEntry[]): Actor {
  const token = bearerOf(header);
  if (!token) throw new ApiProblem(401, 'UNAUTHENTICATED', 'a bearer token is required');
  const actor = actorForToken(token, tokens);
  if (!actor) throw new ApiProblem(401, 'UNAUTHENTICATED', 'the bearer token is not known');
  return actor;
}

export function authorize(actor: Actor, allowed: readonly Role[]): void {
  if (!allowed.includes(actor.role)) {
    throw new ApiProblem(403, 'FORBIDDEN', `role ${actor.role} may not do this`, {
      role: actor.role,
      allowedRoles: allowed,
    });
  }
}

/**
 * Who may do what (DESIGN "Security"). Operators may re-sync but not decide on removal candidates:
 * approving one deactivates a person's account, a decision for those who own the rules.
 */
export const ROLE_SETS = {
  read: ['admin', 'integrator', 'operator', 'viewer'],
  sync: ['admin', 'integrator', 'operator'],
  configure: ['admin', 'integrator'],
  admin: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
