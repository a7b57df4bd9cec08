/** Every request the simulator answered, so tests can count API calls exactly. */
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
