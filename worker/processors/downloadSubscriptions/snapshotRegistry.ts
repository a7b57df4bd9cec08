/**
 * Which snapshots (sync ids) of a profile have collections. The profile lists every sync id before
 * its first document is written, so the clean-up after a download drops exactly the other listed
 * snapshots, and a first sync drops nothing at all.
 */
import type { ObjectId } from 'mongodb';
import type { Models } from '../../../shared/db/models.js';
import { dropAllSnapshots, dropSnapshot } from '../../../shared/db/subscriptionSnapshots.js';

export interface SnapshotRegistry {
  /** True when an earlier attempt of this sync may already have written documents. */
  resuming: boolean;
  /** Lists `syncId` on the profile (before any of its documents exist). */
  register(): Promise<void>;
  /** Drops every other snapshot of the profile; returns how many were listed. */
  removeOthers(previousSyncId: string | null): Promise<number>;
}

export function openSnapshotRegistry(
  models: Models,
  profileId: ObjectId,
  syncId: string,
  listed: readonly string[] | undefined,
): SnapshotRegistry {
  return {
    resuming: listed?.includes(syncId) ?? false,
    async register() {
      if (listed?.includes(syncId)) return;
      await models.IntegrationProfile.updateOne(
        { _id: profileId },
        { $addToSet: { syncIdsWritten: syncId } },
      );
    },
    async removeOthers(previousSyncId) {
      const others = [...new Set([...(listed ?? []), ...(previousSyncId ? [previousSyncId] : [])])].filter(
        (id) => id !== syncId,
      );
      if (listed === undefined) {
        // A profile without the list predates it: keep only this snapshot.
        await dropAllSnapshots(models, profileId, syncId);
        return others.length;
      }
      if (others.length === 0) return 0;
      for (const other of others) await dropSnapshot(models, profileId, other);
      // `$pullAll`, not `$pull` with `$in`: FerretDB 1.24 accepts the latter and removes nothing.
      await models.IntegrationProfile.updateOne({ _id: profileId }, { $pullAll: { syncIdsWritten: others } });
      return others.length;
    },
  };
}
