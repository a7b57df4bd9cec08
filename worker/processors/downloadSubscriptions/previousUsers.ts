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
import { IdIndex, Interned, NONE, StringStore, u32 } from '../../../shared/compactColumns.js';

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
