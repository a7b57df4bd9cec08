/**
 * The previous snapshot's users as a re-download needs them: for each user the new extract
 * brings, the licenses they held (to carry `firstSeenAt` and keep the ones gone within
 * retention); at the end, the users the org no longer has. The extract comes in no particular
 * order, so every previous user must be at hand, and a million of them, each kept as its packed
 * JSON in a `Map`, took about 340 MB: past the worker's heap. Here they are columns of typed
 * arrays: ids packed (`packedSalesforceIds.ts`, 12 bytes an id), and each user's licenses as the
 * number of their set of shapes (a shape: identifier, first sighting, `goneAt`; a whole org has a
 * few of each) with where the user's assignment ids start. About 35 bytes a user (~75 as columns
 * of a number per license field, with ids as text), held through a re-download's whole users
 * phase, where its worker peaks.
 * The users never taken are read again from the previous summary at the end, whole.
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
  /** Per user: its licenses as a set of shapes, and where its assignment ids start. */
  private readonly licenseSet = u32();
  private readonly firstAssignment = u32();
  private readonly assignments = new SalesforceIdColumn();
  private readonly shapeNumbers = new Interned<string>();
  private readonly shapes: LicenseShape[] = [];
  private readonly setNumbers = new Interned<string>();
  private readonly sets: number[][] = [];
  private taken = new Uint8Array(0);
  private remaining = 0;

  private constructor(private readonly snapshot: SnapshotCollections | null) {}

  /** Reads the previous snapshot's summary once (none: a first download). */
  static async load(snapshot: SnapshotCollections | null): Promise<PreviousUsers> {
    const previous = new PreviousUsers(snapshot);
    if (snapshot) for await (const users of readSummary(snapshot)) for (const u of users) previous.add(u);
    previous.taken = new Uint8Array(previous.licenseSet.length);
    previous.remaining = previous.licenseSet.length;
    return previous;
  }

  /** Previous users not taken yet. */
  get size(): number {
    return this.remaining;
  }

  private add(u: UserSummary): void {
    if (this.index.find(u.userId) !== -1) return;
    this.index.add(u.userId);
    this.firstAssignment.push(this.assignments.length);
    const shapes: number[] = [];
    for (const l of u.licenses) {
      shapes.push(this.shapeOf(l));
      if (l.assignmentId !== null) this.assignments.add(l.assignmentId);
    }
    this.licenseSet.push(this.setOf(shapes));
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

  /** Users hold few distinct sets of shapes (one seat, a seat and a permission set license…). */
  private setOf(shapes: number[]): number {
    const n = this.setNumbers.of(shapes.join(','));
    if (n === this.sets.length) this.sets.push(shapes);
    return n;
  }

  /** The licenses the user held in the previous snapshot, once; undefined for a user new to it. */
  take(userId: string): SummaryLicense[] | undefined {
    const n = this.index.find(userId);
    if (n === -1 || this.taken[n] === 1) return undefined;
    this.taken[n] = 1;
    this.remaining -= 1;
    let assignment = this.firstAssignment.data[n] as number;
    const licenses: SummaryLicense[] = [];
    for (const s of this.sets[this.licenseSet.data[n] as number] as number[]) {
      const shape = this.shapes[s] as LicenseShape;
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
