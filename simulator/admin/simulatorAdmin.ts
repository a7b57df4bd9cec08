/** In-process test controls; the `/__admin` HTTP endpoints call the same methods. */
import type { FaultSpec } from './faults.js';
import { computeTruth, userState } from '../org/orgTruth.js';
import { instanceUrlOf } from '../simulatorEnv.js';
import type { SimOrg } from '../org/simOrg.js';
import type { SimulatorEnv } from '../simulatorEnv.js';
import type { SimulatorAdmin } from '../simulatorTypes.js';
import { logIn } from './userLogins.js';

export class UnknownOrgError extends Error {
  constructor(orgId: string) {
    super(`Unknown org: ${orgId}`);
  }
}

export function createSimulatorAdmin(env: SimulatorEnv): SimulatorAdmin {
  const orgOf = (orgId: string): SimOrg => {
    const org = env.orgs.get(orgId);
    if (!org) throw new UnknownOrgError(orgId);
    return org;
  };
  const admin: SimulatorAdmin = {
    orgs: () =>
      [...env.orgs.values()].map((org) =>
        org.info({ loginUrl: env.baseUrl, instanceUrl: instanceUrlOf(env, org) }),
      ),
    truth: (orgId) => computeTruth(orgOf(orgId)),
    user: (orgId, userId) => userState(orgOf(orgId), userId),
    addFault: (spec: FaultSpec) => {
      if (spec.orgId !== undefined) orgOf(spec.orgId);
      return env.faults.add(spec);
    },
    faults: (orgId) => env.faults.list(orgId),
    clearFaults: (orgId) => env.faults.clear(orgId),
    revokeRefreshTokens: (orgId) => env.tokens.revokeRefreshTokens(orgOf(orgId).orgId),
    expireAccessTokens: (orgId) => env.tokens.expireAccessTokens(orgOf(orgId).orgId),
    setAccessTokenTtl: (seconds) => {
      if (!(seconds >= 0)) throw new RangeError('seconds must be >= 0');
      env.tokens.ttlSeconds = seconds;
    },
    apiUsage: (orgId) => orgOf(orgId).limits.view(),
    setApiUsage: (orgId, usage) => {
      const { limits } = orgOf(orgId);
      if (usage.max !== undefined) limits.max = usage.max;
      if (usage.used !== undefined) limits.used = usage.used;
      return limits.view();
    },
    resetApiUsage: (orgId) => {
      const { limits } = orgOf(orgId);
      limits.used = 0;
      return limits.view();
    },
    setLatency: (orgId, latency) => {
      const org = orgOf(orgId);
      org.latency = { ...org.latency, ...latency };
    },
    setMaxConcurrent: (orgId, max) => {
      orgOf(orgId).limits.maxConcurrent = max;
    },
    oauthPolicy: (orgId) => ({ ...orgOf(orgId).oauthPolicy }),
    setOAuthPolicy: (orgId, policy) => {
      const org = orgOf(orgId);
      org.oauthPolicy = { ...org.oauthPolicy, ...policy };
      return { ...org.oauthPolicy };
    },
    advanceClock: (ms) => env.clock.advance(ms),
    logIn: (orgId, userId, at = new Date()) => logIn(orgOf(orgId), userId, at),
  };
  return admin;
}
