/** Every request the simulator answered, so tests can count API calls exactly. */
import { createHash } from 'node:crypto';

export type CallArea = 'oauth' | 'rest' | 'bulk' | 'identity' | 'other';

export interface CallLogEntry {
  seq: number;
  time: string;
  orgId: string | null;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** Counted against the org's daily API allowance. */
  counted: boolean;
  area: CallArea;
  /** The client went away before an answer was sent (e.g. during an injected hang). */
  aborted: boolean;
  /** Composite writes: the ids of the records this call changed. */
  written?: string[];
  /** Which credentials the request carried, as fingerprints: tests tell whose token a call used. */
  credentials?: CallCredentials;
}

/**
 * `tokenFingerprint` of the bearer token, and on OAuth calls the client id and fingerprints of the
 * refresh token and client secret sent: never the values themselves.
 */
export interface CallCredentials {
  bearer?: string;
  clientId?: string;
  refreshToken?: string;
  clientSecret?: string;
}

/** Short SHA-256 of a token: enough to tell tokens apart, useless to call Salesforce with. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/** What a request carried, from its Authorization header and (OAuth) its form body. */
export function credentialsOf(
  authorization: string | undefined,
  formBody: string,
): CallCredentials | undefined {
  const found: CallCredentials = {};
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer) found.bearer = tokenFingerprint(bearer);
  if (formBody.includes('client_id=') || formBody.includes('refresh_token=')) {
    const form = new URLSearchParams(formBody);
    const clientId = form.get('client_id');
    const refreshToken = form.get('refresh_token');
    const clientSecret = form.get('client_secret');
    if (clientId) found.clientId = clientId;
    if (refreshToken) found.refreshToken = tokenFingerprint(refreshToken);
    if (clientSecret) found.clientSecret = tokenFingerprint(clientSecret);
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

export interface CallLogFilter {
  orgId?: string;
  counted?: boolean;
  method?: string;
  pathIncludes?: string;
  area?: CallArea;
}

/** Keeps memory bounded on long benchmark runs; tests never get near it. */
const MAX_ENTRIES = 200_000;

export class CallLog {
  private items: CallLogEntry[] = [];
  private seq = 0;

  record(entry: Omit<CallLogEntry, 'seq'>): void {
    this.seq += 1;
    this.items.push({ seq: this.seq, ...entry });
    if (this.items.length > MAX_ENTRIES) this.items.splice(0, this.items.length - MAX_ENTRIES);
  }

  entries(filter: CallLogFilter = {}): CallLogEntry[] {
    return this.items.filter(
      (e) =>
        (filter.orgId === undefined || e.orgId === filter.orgId) &&
        (filter.counted === undefined || e.counted === filter.counted) &&
        (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
        (filter.pathIncludes === undefined || e.path.includes(filter.pathIncludes)) &&
        (filter.area === undefined || e.area === filter.area),
    );
  }

  count(filter: CallLogFilter = {}): number {
    return this.entries(filter).length;
  }

  /** How many calls changed each record (15-character id form), over the calls matching `filter`. */
  writesPerRecord(filter: CallLogFilter = {}): Map<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.entries(filter)) {
      for (const id of entry.written ?? [])
        counts.set(id.slice(0, 15), (counts.get(id.slice(0, 15)) ?? 0) + 1);
    }
    return counts;
  }

  reset(): void {
    this.items = [];
  }
}
