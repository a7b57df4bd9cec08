/**
 * Columns of per-user and per-candidate state kept outside the JavaScript heap: numbers in typed
 * arrays that double as they fill, short strings (Salesforce ids, usernames) packed in one buffer,
 * ids found through an open-addressing table. A million users' worth held as objects and strings in
 * maps took hundreds of megabytes of heap, which every major collection marks (a download's
 * `previousUsers.ts` and `AssignmentIndex` in `userLicenses.ts`; computeCandidates'
 * `candidateTable.ts`).
 */
import { hasOwnSuffix } from './domain/salesforceIds.js';

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
 * Many short strings in one buffer as UTF-8, each addressed by its number: Salesforce ids (ASCII)
 * and, for the candidate table, usernames (any script).
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

/**
 * Ids (users', candidates') to dense numbers in the order added, in an open-addressing table of at
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

/** Base-62 digit values by character code (-1: not a digit). */
const BASE62 = (() => {
  const values = new Int8Array(128).fill(-1);
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  for (let v = 0; v < digits.length; v += 1) values[digits.charCodeAt(v)] = v;
  return values;
})();

/**
 * A canonical Salesforce id (18 characters whose last 3 are the case checksum of the first 15) as
 * three words of five base-62 digits each (62^5 < 2^32): the 15 characters name the record, the
 * checksum adds nothing. False for any other string (`out` then holds nothing of use).
 */
function idWords(id: string, out: Uint32Array): boolean {
  if (id.length !== 18) return false;
  for (let w = 0; w < 3; w += 1) {
    let word = 0;
    for (let k = w * 5; k < w * 5 + 5; k += 1) {
      const c = id.charCodeAt(k);
      const v = c < 128 ? (BASE62[c] as number) : -1;
      if (v < 0) return false;
      word = word * 62 + v;
    }
    out[w] = word;
  }
  return hasOwnSuffix(id);
}

const mix = (a: number, b: number, c: number): number => {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
};

/**
 * Salesforce record ids to dense numbers in the order added, like {@link IdIndex}, in 12 bytes an
 * id where the id as text took 22 (18 characters and where they end): a million previous users and
 * the assignees of a download. Any string that is not a canonical 18-character id (none that
 * Salesforce sends) is kept as itself beside, so every string keeps its own number.
 */
export class SalesforceIdIndex {
  /** Three per number; NONE for a number kept in `others` (no real word is that large). */
  private readonly words = u32();
  private slots = new Uint32Array(1024).fill(NONE);
  private packed = 0;
  private size = 0;
  private readonly others = new Map<string, number>();
  private readonly scratch = new Uint32Array(3);

  add(id: string): number {
    const w = this.scratch;
    const canonical = idWords(id, w);
    if (canonical && (this.packed + 1) * 2 > this.slots.length) this.rehash();
    const n = this.size;
    this.size += 1;
    for (let k = 0; k < 3; k += 1) this.words.push(canonical ? (w[k] as number) : NONE);
    if (!canonical) {
      this.others.set(id, n);
      return n;
    }
    this.place(n, mix(w[0] as number, w[1] as number, w[2] as number));
    this.packed += 1;
    return n;
  }

  find(id: string): number {
    const w = this.scratch;
    if (!idWords(id, w)) return this.others.get(id) ?? -1;
    const a = w[0] as number;
    const b = w[1] as number;
    const c = w[2] as number;
    const words = this.words.data;
    const mask = this.slots.length - 1;
    for (let s = mix(a, b, c) & mask; ; s = (s + 1) & mask) {
      const n = this.slots[s] as number;
      if (n === NONE) return -1;
      if (words[n * 3] === a && words[n * 3 + 1] === b && words[n * 3 + 2] === c) return n;
    }
  }

  private place(n: number, hash: number): void {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    while (this.slots[s] !== NONE) s = (s + 1) & mask;
    this.slots[s] = n;
  }

  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2).fill(NONE);
    const words = this.words.data;
    for (let n = 0; n < this.size; n += 1) {
      const a = words[n * 3] as number;
      if (a !== NONE) this.place(n, mix(a, words[n * 3 + 1] as number, words[n * 3 + 2] as number));
    }
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
