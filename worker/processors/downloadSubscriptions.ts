/**
 * downloadSubscriptions: the org's license definitions → software models (and default rules);
 * every user's seats, feature licenses, permission-set and package assignments → a new snapshot
 * (`syncId` = runId): one document per user holding their licenses, and a compact summary beside
 * it that computeCandidates works from. Then the profile's `activeSyncId` flips to it and the
 * previous snapshot is dropped. The extracts arrive in no particular order (Bulk API 2.0 keeps PK
 * chunking only without ORDER BY): assignments are indexed by user first, then the users stream
 * by page, each page written while the next is fetched.
 */
import type { Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import type { ZodType } from 'zod';
import { ensureProfileIndexes } from '../../shared/db/profileCollections.js';
import { dropSnapshot, ensureSnapshotIndexes, snapshotOf } from '../../shared/db/subscriptionSnapshots.js';
import { SeatwiseError } from '../../shared/errors.js';
import {
  holdsSeat,
  licenseTypeOfIdentifier,
  packageLicenseIdentifier,
  permissionSetLicenseIdentifier,
} from '../../shared/domain/licenseMapping.js';
import type { QueryPage } from '../../shared/salesforce/salesforceClient.js';
import { parseRunPayload } from '../jobPayload.js';
import { outcomeOf } from '../jobOutcome.js';
import { WRITES_IN_FLIGHT } from '../../shared/db/engineQuirks.js';
import { writeSubscriptionPages } from '../../shared/db/subscriptionPages.js';
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
  type PackageLicenseRecord,
  PERMISSION_SET_LICENSE_ASSIGN_SOQL,
  PERMISSION_SET_LICENSE_SOQL,
  permissionSetLicenseAssignRecordSchema,
  permissionSetLicenseRecordSchema,
  type PermissionSetLicenseRecord,
  USER_COUNT_SOQL,
  USER_LICENSE_SOQL,
  USER_PACKAGE_LICENSE_SOQL,
  USER_SOQL,
  userLicenseRecordSchema,
  type UserLicenseRecord,
  userPackageLicenseRecordSchema,
  userRecordSchema,
} from './downloadSubscriptions/salesforceRecords.js';
import { assignmentsGoBulk } from './downloadSubscriptions/extractPath.js';
import { PreviousUsers } from './downloadSubscriptions/previousUsers.js';
import { createSnapshotBuilder } from './downloadSubscriptions/snapshotBuilder.js';
import { openSnapshotRegistry } from './downloadSubscriptions/snapshotRegistry.js';
import {
  AssignmentIndex,
  addPermissionSetLicenseAssign,
  addUserPackageLicense,
  identifiersOf,
} from './downloadSubscriptions/userLicenses.js';

export interface DownloadSubscriptionsOptions {
  now?: () => Date;
  /** Records per page asked of Salesforce (REST batchSize hint / Bulk maxRecords); default theirs. */
  pageSize?: number;
}

/** A Bulk extract starts its job when created and can be abandoned; a REST one starts when read. */
type Extract<T> = AsyncIterable<QueryPage<T>> & { abandon?: () => void };
/**
 * `expectedRows`: about how many rows the extract returns, which picks an assignment extract's API
 * (`extractPath.ts`) and times a Bulk job's first status call.
 */
type Reader = <T>(soql: string, schema: ZodType<T>, expectedRows: number) => Extract<T>;

/** The licenses in use of a catalog: about as many assignment rows as its extract returns. */
const inUse = (records: readonly { UsedLicenses: number | null }[]): number =>
  records.reduce((sum, r) => sum + (r.UsedLicenses ?? 0), 0);

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
    const snapshots = openSnapshotRegistry(
      models,
      profileObjectId,
      syncId,
      profile.syncIdsWritten ?? undefined,
    );

    if (profile.activeSyncId === syncId) {
      // An earlier attempt got as far as the flip: only the clean-up may be missing.
      const removed = await snapshots.removeOthers(null);
      return outcomeOf(client, 0, { syncId, alreadyActive: true, previousSnapshotsRemoved: removed });
    }

    const now = clock();
    const previousSyncId = profile.activeSyncId ?? null;
    const resume = snapshots.resuming;
    // An interrupted attempt of this sync wrote part of its snapshot in an order nobody can resume
    // from (the extracts are unordered): start it over, which a drop makes cheap.
    if (resume) await dropSnapshot(models, profileObjectId, syncId);
    await snapshots.register();
    const snapshot = snapshotOf(models, profileObjectId, syncId);
    await ensureSnapshotIndexes(models, snapshot);
    await job.updateProgress({ phase: 'licenses', done: 0, total: 0 });
    // The user count (which decides REST or Bulk) and the three license catalogs in one call.
    const {
      count: userCount,
      records: [userLicenses, pslRecords, packageRecords],
    } = await client.countWithQueries<[UserLicenseRecord, PermissionSetLicenseRecord, PackageLicenseRecord]>(
      USER_COUNT_SOQL,
      [
        { soql: USER_LICENSE_SOQL, schema: userLicenseRecordSchema },
        { soql: PERMISSION_SET_LICENSE_SOQL, schema: permissionSetLicenseRecordSchema },
        { soql: PACKAGE_LICENSE_SOQL, schema: packageLicenseRecordSchema },
      ],
    );
    const bulk = userCount > deps.config.salesforce.bulkThresholdUsers;
    const pageOptions = options.pageSize ? { batchSize: options.pageSize } : undefined;
    const readRest: Reader = (soql, schema) => client.query(soql, schema, pageOptions);
    const readBulk: Reader = (soql, schema, expectedRows) =>
      client.bulkQuery(soql, schema, { ...pageOptions, expectedRows });
    const readUsers: Reader = bulk ? readBulk : readRest;
    const readAssignments: Reader = (soql, schema, expectedRows) =>
      assignmentsGoBulk(bulk, expectedRows, options.pageSize)
        ? readBulk(soql, schema, expectedRows)
        : readRest(soql, schema, expectedRows);
    const definitions: LicenseDefinitions = {
      userLicenses,
      permissionSetLicenses: pslRecords,
      packageLicenses: packageRecords,
    };
    const catalog = await syncCatalog(models, profileObjectId, syncId, definitions, now);
    const permissionSetLicenses = identifiersOf(pslRecords, (r) =>
      permissionSetLicenseIdentifier(r.DeveloperName),
    );
    const packageLicenses = identifiersOf(packageRecords, (r) => packageLicenseIdentifier(r.NamespacePrefix));

    const counts = new Map<string, IdentifierCount>();
    const countLicense = (identifier: string, isActive: boolean): void => {
      let count = counts.get(identifier);
      if (!count) {
        count = { rows: 0, seats: 0 };
        counts.set(identifier, count);
      }
      count.rows += 1;
      if (holdsSeat(licenseTypeOfIdentifier(identifier) ?? 'user', isActive)) count.seats += 1;
    };
    let written = catalog.writes;
    let sourceRecords = 0;

    // The extracts are asked for now: Salesforce runs the Bulk jobs side by side while the first
    // extract is read (a REST one starts when read). Assignments are read first, indexed by user,
    // so each user's document is then written once, complete.
    const extracts = {
      permissionSetLicenseAssignments: readAssignments(
        PERMISSION_SET_LICENSE_ASSIGN_SOQL,
        permissionSetLicenseAssignRecordSchema,
        inUse(pslRecords),
      ),
      packageLicenseAssignments: readAssignments(
        USER_PACKAGE_LICENSE_SOQL,
        userPackageLicenseRecordSchema,
        inUse(packageRecords),
      ),
      users: readUsers(USER_SOQL, userRecordSchema, userCount),
    };
    const indexStream = async <T>(phase: string, pages: AsyncIterable<QueryPage<T>>, add: (r: T) => void) => {
      let done = 0;
      await job.updateProgress({ phase, done, total: 0 });
      for await (const page of pages) {
        for (const record of page.records) add(record);
        done += page.records.length;
        sourceRecords += page.records.length;
        await job.updateProgress({ phase, done, total: done });
      }
    };
    const { built: builder, assignmentsWithoutUser } = await (async () => {
      // Held by the builder alone, which lets go of it when it finishes (before the pages).
      const assignments = new AssignmentIndex();
      try {
        await indexStream('permissionSetLicenseAssignments', extracts.permissionSetLicenseAssignments, (r) =>
          addPermissionSetLicenseAssign(assignments, r, permissionSetLicenses),
        );
        await indexStream('packageLicenseAssignments', extracts.packageLicenseAssignments, (r) =>
          addUserPackageLicense(assignments, r, packageLicenses),
        );
        const previous = await PreviousUsers.load(
          previousSyncId ? snapshotOf(models, profileObjectId, previousSyncId) : null,
        );
        const built = createSnapshotBuilder({ snapshot, now, assignments, previous, countLicense });
        let done = 0;
        await job.updateProgress({ phase: 'users', done, total: userCount });
        await pipelinePages(
          extracts.users,
          async (page) => {
            written += await built.addUsers(page.records);
            done += page.records.length;
            sourceRecords += page.records.length;
            await job.updateProgress({ phase: 'users', done, total: Math.max(userCount, done) });
          },
          WRITES_IN_FLIGHT,
        );
        return { built, assignmentsWithoutUser: assignments.leftOver };
      } finally {
        // A failed phase leaves later jobs unread: stop polling them (no-op for those read).
        for (const extract of Object.values(extracts)) extract.abandon?.();
      }
    })();
    written += await builder.finish();
    // Before the flip: a snapshot is listed from its pages as soon as it is active.
    await job.updateProgress({ phase: 'pages', done: 0, total: 0 });
    written += await writeSubscriptionPages(snapshot, {
      users: builder.stats.users + builder.stats.goneUsers,
      sample: builder.sample,
    });

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
    return outcomeOf(client, written, {
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
      previousSnapshotsRemoved: removed,
      userDocuments: builder.stats.users,
      goneLicenses: builder.stats.gone,
      goneUsers: builder.stats.goneUsers,
      assignmentsWithoutUser,
    });
  };
}
