/**
 * A profile's candidates as computeCandidates holds them while it works, and as the ledger is read
 * into: one row per candidate, the repeated values (status, action, rule, approval) as codes in
 * typed-array columns (the license identifier too, by code), the id and username as bytes in
 * buffers, the id found through an open-addressing table (`compactColumns.ts`). The user id is read
 * back from the id (`<profileId>|<userId>|<identifier>`).
 *
 * Why: as a `Map` of entry objects, half a million candidates (a 1,000,000-user org) took ~175 MB of
 * a worker's 240 MB heap (object, id, username, user id, identifier, ~350 bytes each) and ran both
 * workers out of heap in turn. As columns with the id and username as strings in arrays and a map
 * of ids to rows, about half, still on the heap: a million-user compute's worker grew from 134 to
 * 312 MB RSS as the table filled. Outside the heap a row takes ~130 bytes, and no collection marks
 * it. `get` builds the entry when asked; entries are values, so a change is a `set`.
 */
import type { ObjectId } from 'mongodb';
import { SeatwiseError } from '../errors.js';
import { IdIndex, StringStore, u32 } from '../compactColumns.js';
import type { LedgerEntry } from './candidateLedger.js';
import { RECLAIM_ACTIONS, type ReclaimAction } from './models/reclamationRule.model.js';
import { CANDIDATE_STATUSES, type CandidateStatus } from './models/removalCandidate.model.js';

const DELETED = 0xff;
const NO_APPROVAL = 0xffff;

/** Values a column holds as small codes: each distinct one is kept once. */
class Dictionary<T> {
  readonly values: T[] = [];
  private readonly codes = new Map<string, number>();
  constructor(private readonly keyOf: (value: T) => string) {}
  codeOf(value: T): number {
    const key = this.keyOf(value);
    let code = this.codes.get(key);
    if (code === undefined) {
      code = this.values.length;
      // Codes are 16-bit; 0xffff marks "none". A profile has a few dozen rules and licenses.
      if (code >= NO_APPROVAL)
        throw new SeatwiseError(
          'CANDIDATE_TABLE_FULL',
          'too many distinct rules or licenses for one profile',
          {
            distinct: code,
          },
        );
      this.values.push(value);
      this.codes.set(key, code);
    }
    return code;
  }
}

/** Where the user id and the identifier start in `<profileId>|<userId>|<identifier>` (0: absent). */
function partsOf(id: string): { userIdAt: number; identifierAt: number } {
  const userIdAt = id.indexOf('|') + 1;
  return { userIdAt, identifierAt: userIdAt === 0 ? 0 : id.indexOf('|', userIdAt) + 1 };
}

function grown<T extends Uint8Array | Uint16Array | Int32Array>(column: T, size: number): T {
  const next = new (column.constructor as new (n: number) => T)(size);
  next.set(column);
  return next;
}

export class CandidateTable {
  /** Ids to rows; a deleted row keeps its id here, and takes it back if it is set again. */
  private readonly ids = new IdIndex();
  private readonly usernames = new StringStore();
  /** Each row's username in `usernames` (a changed one is added anew). */
  private readonly username = u32();
  private readonly identifiers = new Dictionary<string>((s) => s);
  private readonly rules = new Dictionary<ObjectId>((id) => id.toHexString());
  private readonly statusCodes = new Map(CANDIDATE_STATUSES.map((s, i) => [s, i]));
  private readonly actionCodes = new Map(RECLAIM_ACTIONS.map((a, i) => [a, i]));
  private status = new Uint8Array(1024);
  private identifier = new Uint16Array(1024);
  private rule = new Uint16Array(1024);
  private revision = new Int32Array(1024);
  private action = new Uint8Array(1024);
  private approvalRule = new Uint16Array(1024);
  private approvalRevision = new Int32Array(1024);
  private approvalAction = new Uint8Array(1024);
  private held = 0;

  /** Candidates held (deleted rows excluded). */
  get size(): number {
    return this.held;
  }

  /** Rows ever added, deleted ones included: rows are numbered from 0 in the order added. */
  get rowCount(): number {
    return this.username.length;
  }

  /** The row of a candidate held; undefined for one never set or deleted. */
  rowOf(id: string): number | undefined {
    const row = this.ids.find(id);
    return row === -1 || this.status[row] === DELETED ? undefined : row;
  }

  /** The id of a row still held, or null for a deleted one. */
  idAt(row: number): string | null {
    return row >= this.rowCount || this.status[row] === DELETED ? null : this.ids.ids.get(row);
  }

  get(id: string): LedgerEntry | undefined {
    const row = this.rowOf(id);
    return row === undefined ? undefined : this.entryAt(row, id);
  }

  set(id: string, e: LedgerEntry): this {
    const { userIdAt, identifierAt } = partsOf(id);
    if (
      id !== e._id ||
      userIdAt === 0 ||
      identifierAt === 0 ||
      id.slice(userIdAt, identifierAt - 1) !== e.userId ||
      id.slice(identifierAt) !== e.identifier
    )
      throw new SeatwiseError('CANDIDATE_ID_MISMATCH', 'a candidate id does not name its user and license', {
        id,
        userId: e.userId,
        identifier: e.identifier,
      });
    // Every code before anything is written: a value the table cannot hold leaves no half row.
    const status = this.code(this.statusCodes, e.status, 'status');
    const action = this.code(this.actionCodes, e.action, 'action');
    const approvalAction = e.approval ? this.code(this.actionCodes, e.approval.action, 'action') : 0;
    const identifier = this.identifiers.codeOf(e.identifier);
    const rule = this.rules.codeOf(e.ruleId);
    const approvalRule = e.approval ? this.rules.codeOf(e.approval.ruleId) : NO_APPROVAL;
    let row = this.ids.find(id);
    if (row === -1) {
      row = this.ids.add(id);
      this.reserve(row + 1);
      this.username.push(this.usernames.add(e.username));
      this.held += 1;
    } else {
      if (this.status[row] === DELETED) this.held += 1;
      const current = this.username.data[row] as number;
      if (!this.usernames.equals(current, e.username))
        this.username.data[row] = this.usernames.add(e.username);
    }
    this.status[row] = status;
    this.identifier[row] = identifier;
    this.rule[row] = rule;
    this.revision[row] = e.ruleRevision;
    this.action[row] = action;
    this.approvalRule[row] = approvalRule;
    this.approvalRevision[row] = e.approval?.ruleRevision ?? 0;
    this.approvalAction[row] = approvalAction;
    return this;
  }

  delete(id: string): boolean {
    const row = this.rowOf(id);
    if (row === undefined) return false;
    this.status[row] = DELETED;
    this.held -= 1;
    return true;
  }

  *values(): IterableIterator<LedgerEntry> {
    for (let row = 0; row < this.rowCount; row += 1)
      if (this.status[row] !== DELETED) yield this.entryAt(row, this.ids.ids.get(row));
  }

  private entryAt(row: number, id: string): LedgerEntry {
    const { userIdAt, identifierAt } = partsOf(id);
    const approvalRule = this.approvalRule[row] as number;
    return {
      _id: id,
      userId: id.slice(userIdAt, identifierAt - 1),
      identifier: this.identifiers.values[this.identifier[row] as number] as string,
      username: this.usernames.get(this.username.data[row] as number),
      status: CANDIDATE_STATUSES[this.status[row] as number] as CandidateStatus,
      ruleId: this.rules.values[this.rule[row] as number] as ObjectId,
      ruleRevision: this.revision[row] as number,
      action: RECLAIM_ACTIONS[this.action[row] as number] as ReclaimAction,
      approval:
        approvalRule === NO_APPROVAL
          ? null
          : {
              ruleId: this.rules.values[approvalRule] as ObjectId,
              ruleRevision: this.approvalRevision[row] as number,
              action: RECLAIM_ACTIONS[this.approvalAction[row] as number] as ReclaimAction,
            },
    };
  }

  private code<T extends string>(codes: Map<T, number>, value: T, column: string): number {
    const code = codes.get(value);
    if (code === undefined)
      throw new SeatwiseError(
        'CANDIDATE_VALUE_UNKNOWN',
        `a candidate's ${column} is not one seatwise knows`,
        {
          column,
          value,
        },
      );
    return code;
  }

  private reserve(rows: number): void {
    if (rows <= this.status.length) return;
    const size = Math.max(rows, this.status.length * 2);
    this.status = grown(this.status, size);
    this.identifier = grown(this.identifier, size);
    this.rule = grown(this.rule, size);
    this.revision = grown(this.revision, size);
    this.action = grown(this.action, size);
    this.approvalRule = grown(this.approvalRule, size);
    this.approvalRevision = grown(this.approvalRevision, size);
    this.approvalAction = grown(this.approvalAction, size);
  }
}

/**
 * The candidates a compute has not matched again yet: a flag per row the table held when it
 * started (candidates added later are new, never unseen). A `Set` of their ids took ~20 bytes each.
 */
export class UnseenCandidates {
  private readonly flags: Uint8Array;
  private remaining = 0;

  constructor(private readonly table: CandidateTable) {
    this.flags = new Uint8Array(table.rowCount);
    for (let row = 0; row < this.flags.length; row += 1)
      if (table.idAt(row) !== null) {
        this.flags[row] = 1;
        this.remaining += 1;
      }
  }

  get size(): number {
    return this.remaining;
  }

  has(id: string): boolean {
    const row = this.table.rowOf(id);
    return row !== undefined && this.flags[row] === 1;
  }

  delete(id: string): void {
    const row = this.table.rowOf(id);
    if (row === undefined || this.flags[row] !== 1) return;
    this.flags[row] = 0;
    this.remaining -= 1;
  }

  *ids(): IterableIterator<string> {
    for (let row = 0; row < this.flags.length; row += 1) {
      if (this.flags[row] !== 1) continue;
      const id = this.table.idAt(row);
      if (id !== null) yield id;
    }
  }
}
