/**
 * Builds a new snapshot as the user extract streams by, in any order: for each user, the licenses
 * from their own record and from the assignment index, `firstSeenAt` carried from the previous
 * snapshot's summary, and the licenses the previous snapshot had that are gone now (kept with
 * `goneAt` for `GONE_RETENTION_DAYS`). Writes one document per user and the summary beside it;
 * inserts only, nothing is read back.
 */
import type { UserSubscriptionDoc } from '../../../shared/db/models/softwareSubscription.model.js';
import { INSERT_BATCH } from '../../../shared/db/engineQuirks.js';
import {
  createSummaryWriter,
  packUser,
  type SummaryLicense,
  type UserSummary,
} from '../../../shared/db/subscriptionSummary.js';
import type { SnapshotCollections } from '../../../shared/db/subscriptionSnapshots.js';
import { UserKeySample } from '../../../shared/db/subscriptionPages.js';
import { DAY_MS } from '../../../shared/domain/inactivity.js';
import { insertIgnoringDuplicates } from '../../insertIgnoringDuplicates.js';
import type { PreviousUsers } from './previousUsers.js';
import type { UserRecord } from './salesforceRecords.js';
import { licensesOfUser, type AssignmentIndex, type LicenseRef } from './userLicenses.js';

/** A license seen gone stays visible (with goneAt) this long, then is dropped from later snapshots. */
export const GONE_RETENTION_DAYS = 90;

export interface SnapshotBuilderOptions {
  snapshot: SnapshotCollections;
  now: Date;
  assignments: AssignmentIndex;
  /** The previous snapshot's users (taken as the new snapshot sees them). */
  previous: PreviousUsers;
  /** Told each license the org holds now, and whether its user is active (for the counts). */
  countLicense: (identifier: string, isActive: boolean) => void;
}

export function createSnapshotBuilder(options: SnapshotBuilderOptions) {
  const { snapshot, now, countLicense } = options;
  // Dropped when the builder finishes: at a million users they hold ~120 MB outside the heap,
  // which the list's pages, written next, would otherwise hold on to.
  let sources: Pick<SnapshotBuilderOptions, 'assignments' | 'previous'> | null = options;
  const sourcesOf = () => {
    if (!sources) throw new Error('the snapshot builder has finished');
    return sources;
  };
  const retentionStart = now.getTime() - GONE_RETENTION_DAYS * DAY_MS;
  const summary = createSummaryWriter(snapshot);
  // The list's pages sort users by username a range at a time; this sample sets the ranges.
  const sample = new UserKeySample();
  const stats = { users: 0, carriedFirstSeen: 0, gone: 0, goneUsers: 0 };

  /** A license the user holds now, first seen at `firstSeenAt`. */
  const held = (l: LicenseRef, firstSeenAt: Date): SummaryLicense => ({
    identifier: l.identifier,
    assignmentId: l.assignmentId,
    firstSeenAt,
    goneAt: null,
  });

  /** Current licenses with `firstSeenAt` carried, plus the previous ones still within retention. */
  function merge(
    current: readonly LicenseRef[],
    before: readonly SummaryLicense[] | undefined,
  ): SummaryLicense[] {
    // A user new to the org (every user of a first download): nothing to carry, no map to build.
    if (!before || before.length === 0) return current.map((l) => held(l, now));
    const earlier = new Map(before.map((l) => [l.identifier, l]));
    const licenses: SummaryLicense[] = current.map((l) => {
      const seen = earlier.get(l.identifier);
      if (seen) {
        earlier.delete(l.identifier);
        stats.carriedFirstSeen += 1;
      }
      return held(l, seen?.firstSeenAt ?? now);
    });
    for (const l of earlier.values()) {
      const goneAt = l.goneAt ?? now;
      if (goneAt.getTime() < retentionStart) continue;
      if (l.goneAt === null) stats.gone += 1;
      licenses.push({ ...l, goneAt });
    }
    return licenses;
  }

  function docOf(u: UserSummary, packed: string): UserSubscriptionDoc {
    return {
      _id: u.userId,
      username: u.username,
      isActive: u.isActive,
      lastLoginAt: u.lastLoginAt,
      userCreatedAt: u.userCreatedAt,
      identifiers: u.licenses.map((l) => l.identifier),
      user: packed,
    };
  }

  async function write(users: readonly UserSummary[]): Promise<number> {
    let written = 0;
    for (const u of users) sample.add(u.username, u.userId);
    const packed = users.map(packUser);
    const docs = users.map((u, i) => docOf(u, packed[i] as string));
    for (let i = 0; i < docs.length; i += INSERT_BATCH)
      written += await insertIgnoringDuplicates(snapshot.users, docs.slice(i, i + INSERT_BATCH));
    return written + (await summary.add(packed));
  }

  return {
    stats,
    sample,
    /** One page of user records; resolves to the documents written (users and summary). */
    async addUsers(records: readonly UserRecord[]): Promise<number> {
      const { assignments, previous } = sourcesOf();
      const users: UserSummary[] = [];
      for (const record of records) {
        const current = licensesOfUser(record);
        for (const assigned of assignments.take(record.Id)) current.push(assigned);
        const licenses = merge(current, previous.take(record.Id));
        for (const l of current) countLicense(l.identifier, record.IsActive);
        if (licenses.length === 0) continue;
        users.push({
          userId: record.Id,
          username: record.Username,
          name: record.Name,
          email: record.Email,
          federationId: record.FederationIdentifier,
          isActive: record.IsActive,
          userType: record.UserType,
          profileName: record.Profile?.Name ?? null,
          apiOnly: record.Profile?.PermissionsApiUserOnly ?? false,
          lastLoginAt: record.LastLoginDate,
          userCreatedAt: record.CreatedDate,
          lastSeenAt: now,
          licenses,
        });
      }
      stats.users += users.length;
      return write(users);
    },
    /** Users of the previous snapshot the org no longer has: every license gone. */
    async finish(): Promise<number> {
      const { previous } = sourcesOf();
      sources = null;
      let written = 0;
      for await (const users of previous.untaken()) {
        const vanished: UserSummary[] = [];
        for (const before of users) {
          const licenses = merge([], before.licenses);
          if (licenses.length > 0) vanished.push({ ...before, licenses });
        }
        stats.goneUsers += vanished.length;
        for (let i = 0; i < vanished.length; i += INSERT_BATCH)
          written += await write(vanished.slice(i, i + INSERT_BATCH));
      }
      return written + (await summary.finish());
    },
  };
}
