/**
 * downloadSubscriptions: the org's license definitions → software models (and default rules);
 * every user's seats, feature licenses, permission-set and package assignments → a new snapshot of
 * subscriptions (`syncId` = runId), then the profile's `activeSyncId` flips to it and the previous
 * snapshot is deleted. Streams page by page (Bulk API 2.0 past `bulkThresholdUsers`), fetching the
 * next page while the current one is written, so memory stays bounded whatever the org's size.
 */
import type { Job } from 'bullmq';
import { ObjectId, type Collection } from 'mongodb';
import type { ZodType } from 'zod';
import { ensureProfileIndexes, subscriptionsOf } from '../../shared/db/profileCollections.js';
import { SeatwiseError } from '../../shared/errors.js';
import { holdsSeat, licenseTypeOfIdentifier } from '../../shared/domain/licenseMapping.js';
import type { QueryPage } from '../../shared/salesforce/salesforceClient.js';
import { parseRunPayload } from '../jobPayload.js';
import { outcomeOf } from '../jobOutcome.js';
import { pipelinePages } from '../pagePipeline.js';
import type { JobOutcome, JobProcessor, WorkerDeps } from '../workerDeps.js';
import {
  recordCounts,
  syncCatalog,
  type IdentifierCount,
  type LicenseDefinitions,
} from './downloadSubscriptions/licenseCatalog.js';
import {
  PACKAGE_LICENSE_SOQL,
  packageLicenseRecordSchema,
  PERMISSION_SET_LICENSE_ASSIGN_SOQL,
  PERMISSION_SET_LICENSE_SOQL,
  permissionSetLicenseAssignRecordSchema,
  permissionSetLicenseRecordSchema,
  USER_COUNT_SOQL,
  USER_LICENSE_SOQL,
  USER_PACKAGE_LICENSE_SOQL,
  USER_SOQL,
  userLicenseRecordSchema,
  userPackageLicenseRecordSchema,
  userRecordSchema,
} from './downloadSubscriptions/salesforceRecords.js';
import { openSnapshotRegistry } from './downloadSubscriptions/snapshotRegistry.js';
import { createSnapshotStreamWriter } from './downloadSubscriptions/snapshotWriter.js';
import {
  rowOfPermissionSetLicenseAssign,
  rowOfUserPackageLicense,
  rowsOfUser,
  type RowContext,
  type SubscriptionRow,
} from './downloadSubscriptions/subscriptionRows.js';
import { userAlignedGroups } from './downloadSubscriptions/userAlignedGroups.js';

export interface DownloadSubscriptionsOptions {
  now?: () => Date;
  /** Records per page asked of Salesforce (REST batchSize hint / Bulk maxRecords); default theirs. */
  pageSize?: number;
}

type Reader = <T>(soql: string, schema: ZodType<T>) => AsyncIterable<QueryPage<T>>;

async function readAll<T>(pages: AsyncIterable<QueryPage<T>>): Promise<T[]> {
  const records: T[] = [];
  for await (const page of pages) records.push(...page.records);
  return records;
}

export function createDownloadSubscriptionsProcessor(
  deps: WorkerDeps,
  options: DownloadSubscriptionsOptions = {},
): JobProcessor {
  const clock = options.now ?? (() => new Date());
  return async (job: Job): Promise<JobOutcome> => {
    const { profileId, runId } = parseRunPayload(job);
    const syncId = runId;
    const profileObjectId = new ObjectId(profileId);
    const { models } = deps;
    const profile = await models.IntegrationProfile.findById(profileObjectId, {
      activeSyncId: 1,
      syncIdsWritten: 1,
    }).lean();
    if (!profile)
      throw new SeatwiseError('PROFILE_NOT_FOUND', `profile ${profileId} does not exist`, { profileId });
    const client = await deps.salesforceFor(profileId);
    await ensureProfileIndexes(models, profileObjectId);
    const subscriptions = subscriptionsOf(models, profileObjectId)
      .collection as unknown as Collection<SubscriptionRow>;
    const snapshots = await openSnapshotRegistry(
      models,
      subscriptions,
      profileObjectId,
      syncId,
      profile.syncIdsWritten ?? undefined,
    );

    if (profile.activeSyncId === syncId) {
      // An earlier attempt got as far as the flip: only the clean-up may be missing.
      const removed = await snapshots.removeOthers(null);
      return outcomeOf(client, removed, { syncId, alreadyActive: true });
    }

    const now = clock();
    const previousSyncId = profile.activeSyncId ?? null;
    const resume = snapshots.resuming;
    await snapshots.register();
    await job.updateProgress({ phase: 'licenses', done: 0, total: 0 });
    const userCount = await client.count(USER_COUNT_SOQL);
    const bulk = userCount > deps.config.salesforce.bulkThresholdUsers;
    const pageOptions = options.pageSize ? { batchSize: options.pageSize } : undefined;
    const read: Reader = bulk
      ? (soql, schema) => client.bulkQuery(soql, schema, pageOptions)
      : (soql, schema) => client.query(soql, schema, pageOptions);

    const userLicenses = await readAll(client.query(USER_LICENSE_SOQL, userLicenseRecordSchema));
    const pslRecords = await readAll(
      client.query(PERMISSION_SET_LICENSE_SOQL, permissionSetLicenseRecordSchema),
    );
    const packageRecords = await readAll(client.query(PACKAGE_LICENSE_SOQL, packageLicenseRecordSchema));
    const definitions: LicenseDefinitions = {
      userLicenses,
      permissionSetLicenses: pslRecords,
      packageLicenses: packageRecords,
    };
    const catalog = await syncCatalog(models, profileObjectId, syncId, definitions, now);
    const permissionSetLicenses = new Map(pslRecords.map((r) => [r.Id, r.DeveloperName]));
    const packageLicenses = new Map(packageRecords.map((r) => [r.Id, r.NamespacePrefix]));

    const ctx: RowContext = {
      profileId: profileObjectId,
      syncId,
      seenAt: now,
      modelIdOf: (identifier) => catalog.modelIds.get(identifier) ?? null,
    };
    const counts = new Map<string, IdentifierCount>();
    const tally = (rows: readonly SubscriptionRow[]): void => {
      for (const row of rows) {
        const count = counts.get(row.identifier) ?? { rows: 0, seats: 0 };
        count.rows += 1;
        const type = licenseTypeOfIdentifier(row.identifier) ?? 'user';
        if (holdsSeat(type, row.isActive)) count.seats += 1;
        counts.set(row.identifier, count);
      }
    };
    let written = catalog.writes;
    let sourceRecords = 0;

    async function stream<T>(
      phase: string,
      total: number | null,
      pages: AsyncIterable<QueryPage<T>>,
      userIdOf: (record: T) => string,
      toRows: (record: T) => SubscriptionRow[],
      identifierPattern: RegExp,
    ): Promise<void> {
      const writer = createSnapshotStreamWriter({
        collection: subscriptions,
        profileId: profileObjectId,
        syncId,
        previousSyncId,
        identifierPattern,
        now,
        resume,
      });
      let done = 0;
      await job.updateProgress({ phase, done, total: total ?? 0 });
      await pipelinePages(userAlignedGroups(pages, userIdOf), async (group) => {
        const rows = group.records.flatMap(toRows);
        tally(rows);
        written += await writer.writeGroup(rows, group.throughUserId);
        done += group.records.length;
        sourceRecords += group.records.length;
        await job.updateProgress({ phase, done, total: total ?? done });
      });
      written += await writer.finish();
    }

    await stream(
      'users',
      userCount,
      read(USER_SOQL, userRecordSchema),
      (user) => user.Id,
      (user) => rowsOfUser(ctx, user),
      /^(UL|FL):/,
    );
    await stream(
      'permissionSetLicenseAssignments',
      null,
      read(PERMISSION_SET_LICENSE_ASSIGN_SOQL, permissionSetLicenseAssignRecordSchema),
      (assignment) => assignment.AssigneeId,
      (assignment) => {
        const row = rowOfPermissionSetLicenseAssign(ctx, assignment, (id) => permissionSetLicenses.get(id));
        return row ? [row] : [];
      },
      /^PSL:/,
    );
    await stream(
      'packageLicenseAssignments',
      null,
      read(USER_PACKAGE_LICENSE_SOQL, userPackageLicenseRecordSchema),
      (assignment) => assignment.UserId,
      (assignment) => {
        const row = rowOfUserPackageLicense(ctx, assignment, (id) => packageLicenses.get(id));
        return row ? [row] : [];
      },
      /^PKG:/,
    );

    await job.updateProgress({ phase: 'finishing', done: sourceRecords, total: sourceRecords });
    written += await recordCounts(models, profileObjectId, syncId, catalog, counts, now);
    const flipped = await models.IntegrationProfile.updateOne(
      { _id: profileObjectId, activeSyncId: previousSyncId },
      { $set: { activeSyncId: syncId } },
    );
    if (flipped.matchedCount === 0) {
      throw new SeatwiseError(
        'SNAPSHOT_CONFLICT',
        'the profile’s active snapshot changed while this download ran; a retry starts over',
        { profileId, syncId, previousSyncId },
      );
    }
    const removed = await snapshots.removeOthers(previousSyncId);

    const perIdentifier = Object.fromEntries([...counts].map(([identifier, c]) => [identifier, c]));
    const unrecognized = Object.fromEntries(
      [...counts]
        .filter(([identifier]) => !catalog.modelIds.has(identifier))
        .map(([identifier, c]) => [identifier, c.rows]),
    );
    return outcomeOf(client, written + removed, {
      syncId,
      previousSyncId,
      resumed: resume,
      api: bulk ? 'bulk' : 'rest',
      users: userCount,
      sourceRecords,
      modelsCreated: catalog.modelsCreated,
      rulesCreated: catalog.rulesCreated,
      subscriptions: perIdentifier,
      unrecognized,
      previousRowsRemoved: removed,
    });
  };
}
