/**
 * The previous snapshot's users as a re-download needs them: for each user the new extract
 * brings, the licenses they held (to carry `firstSeenAt` and keep the ones gone within
 * retention); at the end, the users the org no longer has. The extract comes in no particular
 * order, so every previous user must be at hand, and a million of them, each kept as its packed
 * JSON in a `Map`, took about 340 MB: past the worker's heap. Here they are columns of typed
 * arrays (ids in one buffer found through an open-addressing table, licenses as small integers,
 * dates and assignment ids interned): about 60 bytes per user with two licenses. The users never
 * taken are read again from the previous summary at the end, whole.
 */
import type { SnapshotCollections } from '../../../shared/db/subscriptionSnapshots.js';
import {
  readSummary,
  type SummaryLicense,
  type UserSummary,
} from '../../../shared/db/subscriptionSummary.js';

const NONE = 0xffffffff;

/** A column of unsigned 32-bit numbers that doubles as it fills. */
class Column {
  length = 0;
  data = new Uint32Array(1024);

  push(value: number): number {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = value;
    this.length += 1;
    return this.length - 1;
  }
}

const u32 = () => new Column();

/** Many short ASCII strings in one buffer, each addressed by its number. */
class StringStore {
  private bytes = Buffer.alloc(1 << 16);
  private used = 0;
  readonly ends = u32();

  add(s: string): number {
    const length = Buffer.byteLength(s, 'utf8');
    while (this.used + length > this.bytes.length) {
      const next = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(next, 0, 0, this.used);
      this.bytes = next;
    }
    this.bytes.write(s, this.used, 'utf8');
    this.used += length;
    return this.ends.push(this.used);
  }

  private start(i: number): number {
    return i === 0 ? 0 : (this.ends.data[i - 1] as number);
  }

  get(i: number): string {
    return this.bytes.toString('utf8', this.start(i), this.ends.data[i]);
  }

  /** Whether string `i` is `s`: ASCII (every Salesforce id) compared byte by byte, no allocation. */
  equals(i: number, s: string): boolean {
    const start = this.start(i);
    const end = this.ends.data[i] as number;
    if (end - start === s.length) {
      for (let k = 0; k < s.length; k += 1) {
        const c = s.charCodeAt(k);
        if (c > 0x7f) return this.get(i) === s;
        if (this.bytes[start + k] !== c) return false;
      }
      return true;
    }
    return Buffer.byteLength(s, 'utf8') !== s.length && this.get(i) === s;
  }
}

/** FNV-1a over the id's characters. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k += 1) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}

/** User ids to dense numbers, in an open-addressing table of at most half load. */
class IdIndex {
  readonly ids = new StringStore();
  private slots = new Uint32Array(1024).fill(NONE);
  private count = 0;

  add(id: string): number {
    if ((this.count + 1) * 2 > this.slots.length) this.rehash();
    const n = this.ids.add(id);
    this.place(n, id);
    this.count += 1;
    return n;
  }

  find(id: string): number {
    const mask = this.slots.length - 1;
    for (let s = hash(id) & mask; ; s = (s + 1) & mask) {
      const n = this.slots[s] as number;
      if (n === NONE) return -1;
      if (this.ids.equals(n, id)) return n;
    }
  }

  private place(n: number, id: string): void {
    const mask = this.slots.length - 1;
    let s = hash(id) & mask;
    while (this.slots[s] !== NONE) s = (s + 1) & mask;
    this.slots[s] = n;
  }

  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2).fill(NONE);
    for (let n = 0; n < this.count; n += 1) this.place(n, this.ids.get(n));
  }
}

/** Distinct values (identifiers, dates) to small numbers and back. */
class Interned<T> {
  private readonly numbers = new Map<T, number>();
  readonly values: T[] = [];

  of(value: T): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.values.push(value);
      this.numbers.set(value, n);
    }
    return n;
  }
}

export class PreviousUsers {
  private readonly index = new IdIndex();
  /** Per user: where its licenses start (the next user's start ends them). */
  private readonly firstLicense = u32();
  private readonly identifier = u32();
  private readonly firstSeen = u32();
  private readonly gone = u32();
  private readonly assignment = u32();
  private readonly assignments = new StringStore();
  private readonly identifiers = new Interned<string>();
  private readonly times = new Interned<number>();
  private taken = new Uint8Array(0);
  private remaining = 0;

  private constructor(private readonly snapshot: SnapshotCollections | null) {}

  /** Reads the previous snapshot's summary once (none: a first download). */
  static async load(snapshot: SnapshotCollections | null): Promise<PreviousUsers> {
    const previous = new PreviousUsers(snapshot);
    if (snapshot) for await (const users of readSummary(snapshot)) for (const u of users) previous.add(u);
    previous.taken = new Uint8Array(previous.firstLicense.length);
    previous.remaining = previous.firstLicense.length;
    return previous;
  }

  /** Previous users not taken yet. */
  get size(): number {
    return this.remaining;
  }

  private add(u: UserSummary): void {
    if (this.index.find(u.userId) !== -1) return;
    this.index.add(u.userId);
    this.firstLicense.push(this.identifier.length);
    for (const l of u.licenses) {
      this.identifier.push(this.identifiers.of(l.identifier));
      this.firstSeen.push(this.times.of(l.firstSeenAt.getTime()));
      this.gone.push(l.goneAt === null ? NONE : this.times.of(l.goneAt.getTime()));
      this.assignment.push(l.assignmentId === null ? NONE : this.assignments.add(l.assignmentId));
    }
  }

  /** The licenses the user held in the previous snapshot, once; undefined for a user new to it. */
  take(userId: string): SummaryLicense[] | undefined {
    const n = this.index.find(userId);
    if (n === -1 || this.taken[n] === 1) return undefined;
    this.taken[n] = 1;
    this.remaining -= 1;
    const end =
      n + 1 < this.firstLicense.length ? (this.firstLicense.data[n + 1] as number) : this.identifier.length;
    const licenses: SummaryLicense[] = [];
    for (let i = this.firstLicense.data[n] as number; i < end; i += 1) {
      const gone = this.gone.data[i] as number;
      const assignment = this.assignment.data[i] as number;
      licenses.push({
        identifier: this.identifiers.values[this.identifier.data[i] as number] as string,
        firstSeenAt: new Date(this.times.values[this.firstSeen.data[i] as number] as number),
        goneAt: gone === NONE ? null : new Date(this.times.values[gone] as number),
        assignmentId: assignment === NONE ? null : this.assignments.get(assignment),
      });
    }
    return licenses;
  }

  /** The previous users never taken, whole, read again from the previous summary. */
  async *untaken(): AsyncIterable<UserSummary[]> {
    if (!this.snapshot || this.remaining === 0) return;
    for await (const users of readSummary(this.snapshot)) {
      const left = users.filter((u) => {
        const n = this.index.find(u.userId);
        return n !== -1 && this.taken[n] === 0;
      });
      // A user listed twice in the summary is handed on once.
      for (const u of left) this.taken[this.index.find(u.userId)] = 1;
      if (left.length > 0) yield left;
    }
    this.remaining = 0;
  }
}
