/**
 * The previous snapshot's users as a re-download needs them: for each user the new extract
 * brings, the licenses they held (to carry `firstSeenAt` and keep the ones gone within
 * retention); at the end, the users the org no longer has. The extract comes in no particular
 * order, so every previous user must be at hand, and a million of them, each kept as its packed
 * JSON in a `Map`, took about 340 MB: past the worker's heap. Here they are columns of typed
 * arrays: ids packed (`packedSalesforceIds.ts`, 12 bytes an id), each license as the number of
 * its shape (identifier, first sighting, `goneAt`, whether it had an assignment: the same few for a
 * whole org, at most one per license and sync), and per user where its licenses and its assignment
 * ids start. About 40 bytes a user with two licenses (~75 with a number per license field and ids
 * as text), held through a re-download's whole users phase, where its worker peaks. Not interned
 * per user: users' sets of licenses differ by when each was first seen, and in an org synced for
 * years nearly every user's set would be its own. The users never taken are read again from the
 * previous summary at the end, whole.
 */
import type { SnapshotCollections } from '../../../shared/db/subscriptionSnapshots.js';
import {
  readSummary,
  type SummaryLicense,
  type UserSummary,
} from '../../../shared/db/subscriptionSummary.js';
import { Interned, u32 } from '../../../shared/compactColumns.js';
import { SalesforceIdColumn, SalesforceIdIndex } from '../../../shared/packedSalesforceIds.js';

/** A license as the previous snapshot left it, but for its assignment id: shared by many users. */
interface LicenseShape {
  identifier: string;
  firstSeenAt: number;
  goneAt: number | null;
  /** Whether it came with an assignment id (the user's next one, in order). */
  assigned: boolean;
}

export class PreviousUsers {
  private readonly index = new SalesforceIdIndex();
  /** Per user: where its licenses start and where its assignment ids start (the next user's end them). */
  private readonly firstLicense = u32();
  private readonly firstAssignment = u32();
  /** Per license: the number of its shape. */
  private readonly shape = u32();
  private readonly assignments = new SalesforceIdColumn();
  private readonly shapeNumbers = new Interned<string>();
  private readonly shapes: LicenseShape[] = [];
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
    this.firstLicense.push(this.shape.length);
    this.firstAssignment.push(this.assignments.length);
    for (const l of u.licenses) {
      this.shape.push(this.shapeOf(l));
      if (l.assignmentId !== null) this.assignments.add(l.assignmentId);
    }
  }

  /** A handful of shapes cover a whole org: a license, and the syncs it was first seen or gone in. */
  private shapeOf(l: SummaryLicense): number {
    const firstSeenAt = l.firstSeenAt.getTime();
    const goneAt = l.goneAt === null ? null : l.goneAt.getTime();
    const assigned = l.assignmentId !== null;
    const n = this.shapeNumbers.of(`${firstSeenAt} ${goneAt ?? ''} ${assigned ? 1 : 0} ${l.identifier}`);
    if (n === this.shapes.length)
      this.shapes.push({ identifier: l.identifier, firstSeenAt, goneAt, assigned });
    return n;
  }

  /** The licenses the user held in the previous snapshot, once; undefined for a user new to it. */
  take(userId: string): SummaryLicense[] | undefined {
    const n = this.index.find(userId);
    if (n === -1 || this.taken[n] === 1) return undefined;
    this.taken[n] = 1;
    this.remaining -= 1;
    const end =
      n + 1 < this.firstLicense.length ? (this.firstLicense.data[n + 1] as number) : this.shape.length;
    let assignment = this.firstAssignment.data[n] as number;
    const licenses: SummaryLicense[] = [];
    for (let i = this.firstLicense.data[n] as number; i < end; i += 1) {
      const shape = this.shapes[this.shape.data[i] as number] as LicenseShape;
      licenses.push({
        identifier: shape.identifier,
        firstSeenAt: new Date(shape.firstSeenAt),
        goneAt: shape.goneAt === null ? null : new Date(shape.goneAt),
        assignmentId: shape.assigned ? this.assignments.get(assignment++) : null,
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
