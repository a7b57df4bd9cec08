/**
 * Server-side cursors behind `nextRecordsUrl`. As on Salesforce, a locator expires after 15
 * minutes unused and a user holds at most 10 (opening an 11th drops the oldest). A cursor is
 * closed once its last page has been served.
 */
import type { CompiledQuery } from './soqlCompiler.js';
import { KEY_PREFIXES, makeId } from '../org/salesforceIds.js';

const IDLE_EXPIRY_MS = 15 * 60_000;
const MAX_OPEN_PER_USER = 10;

export interface QueryCursor {
  query: CompiledQuery;
  rows: Int32Array;
  batchSize: number;
}

interface StoredCursor extends QueryCursor {
  owner: number;
  lastUsed: number;
  opened: number;
}

export class QueryLocatorStore {
  private readonly cursors = new Map<string, StoredCursor>();
  private counter = 1;

  constructor(
    private readonly idSpace: string,
    private readonly now: () => number,
  ) {}

  open(owner: number, cursor: QueryCursor): string {
    this.expireIdle();
    const mine = [...this.cursors.entries()]
      .filter(([, c]) => c.owner === owner)
      .sort((a, b) => a[1].opened - b[1].opened);
    for (const [locator] of mine.slice(0, Math.max(0, mine.length - MAX_OPEN_PER_USER + 1))) {
      this.cursors.delete(locator);
    }
    const locator = makeId(KEY_PREFIXES.QueryLocator, this.idSpace, this.counter);
    this.counter += 1;
    this.cursors.set(locator, { ...cursor, owner, lastUsed: this.now(), opened: this.counter });
    return locator;
  }

  find(locator: string, owner: number): QueryCursor | undefined {
    this.expireIdle();
    const cursor = this.cursors.get(locator);
    if (!cursor || cursor.owner !== owner) return undefined;
    cursor.lastUsed = this.now();
    return cursor;
  }

  close(locator: string): void {
    this.cursors.delete(locator);
  }

  private expireIdle(): void {
    const cutoff = this.now() - IDLE_EXPIRY_MS;
    for (const [locator, cursor] of this.cursors) if (cursor.lastUsed <= cutoff) this.cursors.delete(locator);
  }
}
