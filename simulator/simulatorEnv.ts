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
  /** The generic login host, set once the main server listens: `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Each org's instance origin (its own listener), by org id. */
  instanceUrls: Map<string, string>;
  /** Diagnostics for bugs (never for ordinary client errors); silent when quiet. */
  warn(message: string): void;
}

/** Origin only, as real instance URLs are: API paths resolve against it. */
export function instanceUrlOf(env: SimulatorEnv, org: SimOrg): string {
  const url = env.instanceUrls.get(org.orgId);
  if (!url) throw new Error(`org ${org.orgId} has no listener yet`);
  return url;
}
