/**
 * Salesforce record ids kept packed, outside the heap (as `compactColumns.ts` keeps other columns):
 * a canonical id, 18 characters whose last 3 only spell the case of the first 15, is three 32-bit
 * words of five base-62 digits each. A re-download holds a million previous users' ids and their
 * assignment ids through its whole users phase, where its worker peaks.
 */
import { NONE, u32 } from './compactColumns.js';
import { hasOwnSuffix, salesforceIdSuffix } from './domain/salesforceIds.js';

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Base-62 digit values by character code (-1: not a digit). */
const BASE62 = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let v = 0; v < DIGITS.length; v += 1) values[DIGITS.charCodeAt(v)] = v;
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
 * Salesforce ids addressed by number, as a `StringStore` would hold them, in 12 bytes an id
 * where the text took 22 (18 characters and where they end): canonical ids as three words, the
 * checksum spelled again on reading; any other string (none that Salesforce sends) as itself.
 */
export class SalesforceIdColumn {
  /** Three per number; NONE for a number kept in `others` (no real word is that large). */
  readonly words = u32();
  private readonly others = new Map<number, string>();
  private readonly scratch = new Uint32Array(3);
  length = 0;

  add(id: string): number {
    const w = this.scratch;
    const canonical = idWords(id, w);
    const n = this.length;
    this.length += 1;
    for (let k = 0; k < 3; k += 1) this.words.push(canonical ? (w[k] as number) : NONE);
    if (!canonical) this.others.set(n, id);
    return n;
  }

  get(n: number): string {
    const words = this.words.data;
    if (words[n * 3] === NONE) return this.others.get(n) as string;
    const codes: number[] = [];
    for (let k = 0; k < 3; k += 1) {
      let word = words[n * 3 + k] as number;
      for (let i = 4; i >= 0; i -= 1) {
        codes[k * 5 + i] = DIGITS.charCodeAt(word % 62);
        word = Math.floor(word / 62);
      }
    }
    const id15 = String.fromCharCode(...codes);
    return id15 + salesforceIdSuffix(id15);
  }
}

/**
 * Salesforce record ids to dense numbers in the order added, like `IdIndex`, packed as a
 * {@link SalesforceIdColumn}: a million previous users and the assignees of a download. Any
 * string that is not a canonical id keeps a number of its own, found through a map beside.
 */
export class SalesforceIdIndex {
  private readonly ids = new SalesforceIdColumn();
  private slots = new Uint32Array(1024).fill(NONE);
  private packed = 0;
  private readonly others = new Map<string, number>();
  private readonly scratch = new Uint32Array(3);

  add(id: string): number {
    if ((this.packed + 1) * 2 > this.slots.length) this.rehash();
    const n = this.ids.add(id);
    const words = this.ids.words.data;
    const a = words[n * 3] as number;
    if (a === NONE) {
      this.others.set(id, n);
      return n;
    }
    this.place(n, mix(a, words[n * 3 + 1] as number, words[n * 3 + 2] as number));
    this.packed += 1;
    return n;
  }

  find(id: string): number {
    const w = this.scratch;
    if (!idWords(id, w)) return this.others.get(id) ?? -1;
    const a = w[0] as number;
    const b = w[1] as number;
    const c = w[2] as number;
    const words = this.ids.words.data;
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
    const words = this.ids.words.data;
    for (let n = 0; n < this.ids.length; n += 1) {
      const a = words[n * 3] as number;
      if (a !== NONE) this.place(n, mix(a, words[n * 3 + 1] as number, words[n * 3 + 2] as number));
    }
  }
}
