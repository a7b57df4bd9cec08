/**
 * One junction object between users and a small catalog (permission set licenses, packages,
 * permission sets) as three typed columns. Generated rows are sorted by user, so a user's rows are
 * found by binary search; rows created through the API are appended (Salesforce never reuses an
 * id) and indexed per user on the side, so a 1,000,000-user org stays a few bytes per row.
 */
export class AssignmentTable {
  user: Int32Array;
  item: Uint8Array;
  deleted: Uint8Array;
  count: number;
  private readonly sortedCount: number;
  private readonly appended = new Map<number, number[]>();

  constructor(user: Int32Array, item: Uint8Array) {
    this.user = user;
    this.item = item;
    this.deleted = new Uint8Array(user.length);
    this.count = user.length;
    this.sortedCount = user.length;
  }

  /** One row per set bit of each user's mask, ordered by user then item. */
  static fromMasks(masks: Uint8Array | Uint16Array, items: number): AssignmentTable {
    let count = 0;
    for (const mask of masks) {
      for (let k = 0; k < items; k += 1) if (mask & (1 << k)) count += 1;
    }
    const user = new Int32Array(count);
    const item = new Uint8Array(count);
    let row = 0;
    masks.forEach((mask, u) => {
      for (let k = 0; k < items; k += 1) {
        if (!(mask & (1 << k))) continue;
        user[row] = u;
        item[row] = k;
        row += 1;
      }
    });
    return new AssignmentTable(user, item);
  }

  isLive(row: number): boolean {
    return row >= 0 && row < this.count && this.deleted[row] === 0;
  }

  /** Every row of `user`, deleted ones included, in id order. */
  rowsOf(user: number): number[] {
    const rows: number[] = [];
    for (let row = this.firstSortedRow(user); row < this.sortedCount && this.user[row] === user; row += 1) {
      rows.push(row);
    }
    return rows.concat(this.appended.get(user) ?? []);
  }

  liveRowsOf(user: number): number[] {
    return this.rowsOf(user).filter((row) => this.deleted[row] === 0);
  }

  /** The live row for (user, item), or -1. */
  liveRow(user: number, item: number): number {
    return this.liveRowsOf(user).find((row) => this.item[row] === item) ?? -1;
  }

  append(user: number, item: number): number {
    if (this.count === this.user.length) this.grow();
    const row = this.count;
    this.user[row] = user;
    this.item[row] = item;
    this.deleted[row] = 0;
    this.count += 1;
    const rows = this.appended.get(user);
    if (rows) rows.push(row);
    else this.appended.set(user, [row]);
    return row;
  }

  liveCountPerItem(items: number): number[] {
    const counts = new Array<number>(items).fill(0);
    for (let row = 0; row < this.count; row += 1) {
      const k = this.item[row] ?? 0;
      if (!this.deleted[row]) counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  }

  private firstSortedRow(user: number): number {
    let lo = 0;
    let hi = this.sortedCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.user[mid] ?? 0) < user) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const capacity = Math.max(16, Math.ceil(this.user.length * 1.25));
    const copy = <A extends Int32Array | Uint8Array>(from: A, to: A): A => {
      to.set(from);
      return to;
    };
    this.user = copy(this.user, new Int32Array(capacity));
    this.item = copy(this.item, new Uint8Array(capacity));
    this.deleted = copy(this.deleted, new Uint8Array(capacity));
  }
}
