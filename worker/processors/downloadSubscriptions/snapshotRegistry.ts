/**
 * Which snapshots (sync ids) of a profile have rows in the subscriptions collection. The profile
 * lists every sync id before its first row is written, so the clean-up after a download deletes
 * exactly the other listed snapshots, and a first sync deletes nothing at all.
 *
 * Why not a `syncId: { $ne }` delete each time: FerretDB answers it with a scan of the whole
 * collection (6.8 s of a 25,000-user org's 31 s first sync), even when nothing is left to delete.
 */
import type { Collection, ObjectId } from 'mongodb';
import type { Models } from '../../../shared/db/models.js';
import type { SubscriptionRow } from './subscriptionRows.js';

export interface SnapshotRegistry {
  /** True when an earlier attempt of this sync may already have written rows. */
  resuming: boolean;
  /** Lists `syncId` on the profile (before any of its rows exist). */
  register(): Promise<void>;
  /** Deletes the rows of every other snapshot of the profile; returns how many. */
  removeOthers(previousSyncId: string | null): Promise<number>;
}

export async function openSnapshotRegistry(
  models: Models,
  subscriptions: Collection<SubscriptionRow>,
  profileId: ObjectId,
  syncId: string,
  listed: readonly string[] | undefined,
): Promise<SnapshotRegistry> {
  // A profile without the list predates it: fall back to asking the collection.
  const resuming =
    listed !== undefined
      ? listed.includes(syncId)
      : (await subscriptions.findOne({ profileId, syncId }, { projection: { _id: 1 } })) !== null;
  return {
    resuming,
    async register() {
      if (listed?.includes(syncId)) return;
      await models.IntegrationProfile.updateOne(
        { _id: profileId },
        { $addToSet: { syncIdsWritten: syncId } },
      );
    },
    async removeOthers(previousSyncId) {
      if (listed === undefined) {
        return (await subscriptions.deleteMany({ profileId, syncId: { $ne: syncId } })).deletedCount;
      }
      const others = [...new Set([...listed, ...(previousSyncId ? [previousSyncId] : [])])].filter(
        (id) => id !== syncId,
      );
      if (others.length === 0) return 0;
      const removed = await subscriptions.deleteMany({ profileId, syncId: { $in: others } });
      // `$pullAll`, not `$pull` with `$in`: FerretDB 1.24 accepts the latter and removes nothing.
      await models.IntegrationProfile.updateOne({ _id: profileId }, { $pullAll: { syncIdsWritten: others } });
      return removed.deletedCount;
    },
  };
}
