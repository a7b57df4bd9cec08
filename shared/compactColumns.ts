/**
 * Columns of per-user and per-candidate state kept outside the JavaScript heap: numbers in typed
 * arrays that double as they fill, short strings (candidate ids, usernames) packed in one buffer,
 * ids found through an open-addressing table. A million users' worth held as objects and strings in
 * maps took hundreds of megabytes of heap, which every major collection marks (a download's
 * `previousUsers.ts` and `AssignmentIndex` in `userLicenses.ts`, whose Salesforce ids are packed
 * tighter still in `packedSalesforceIds.ts`; computeCandidates' `candidateTable.ts`).
 */

/** The empty cell of a column. */
export const NONE = 0xffffffff;

/** A column of unsigned 32-bit numbers that doubles as it fills. */
export class Column {
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

export const u32 = () => new Column();

/**
 * Many short strings in one buffer as UTF-8, each addressed by its number: the candidate table's
 * ids (ASCII) and usernames (any script).
 */
export class StringStore {
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

  /** Whether string `i` is `s`: ASCII (every candidate id) compared byte by byte, no allocation. */
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

/**
 * Ids (the candidate table's) to dense numbers in the order added, in an open-addressing table of at
 * most half load. Nothing is ever removed: a holder that deletes marks the number itself.
 */
export class IdIndex {
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
export class Interned<T> {
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
