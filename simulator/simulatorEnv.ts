/** Server-wide services every handler may need. */
import type { CallLog } from './admin/callLog.js';
import type { FaultInjector } from './admin/faults.js';
import type { OAuthTokenStore } from './oauth/oauthTokens.js';
import type { SimClock } from './org/simClock.js';
import type { SimOrg } from './org/simOrg.js';

export interface SimulatorEnv {
  clock: SimClock;
  tokens: OAuthTokenStore;
  faults: FaultInjector;
  callLog: CallLog;
  orgs: Map<string, SimOrg>;
  orgsByClientId: Map<string, SimOrg>;
  /** Set once the server listens: `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Diagnostics for bugs (never for ordinary client errors); silent when quiet. */
  warn(message: string): void;
}

export function instanceUrlOf(env: SimulatorEnv, org: SimOrg): string {
  return `${env.baseUrl}/org/${org.orgId}`;
}
