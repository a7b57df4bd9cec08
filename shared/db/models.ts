import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { auditEntrySchema } from './models/auditEntry.model.js';
import { connectionAliasSchema } from './models/connectionAlias.model.js';
import { consumptionSchema } from './models/consumption.model.js';
import { exclusionRuleSchema } from './models/exclusionRule.model.js';
import { integrationProfileSchema } from './models/integrationProfile.model.js';
import { jobRunSchema } from './models/jobRun.model.js';
import { licenseEntitlementSchema, profilePricingSchema } from './models/licenseEntitlement.model.js';
import { reclaimSnapshotSchema } from './models/reclaimSnapshot.model.js';
import { reclaimSwitchSchema } from './models/reclaimSwitch.model.js';
import { reclaimUndoSchema } from './models/reclaimUndo.model.js';
import { reclamationRuleSchema } from './models/reclamationRule.model.js';
import { savingsHistorySchema } from './models/savingsHistory.model.js';
import { softwareModelSchema } from './models/softwareModel.model.js';
import { unrecognizedIdentifierSchema } from './models/unrecognizedIdentifier.model.js';

/**
 * Every model bound to one connection (each process has its own; tests have one per database).
 * Subscription rows and removal candidates are per profile: see profileCollections.ts.
 */
export function bindModels(connection: Connection) {
  return {
    IntegrationProfile: connection.model('IntegrationProfile', integrationProfileSchema),
    ConnectionAlias: connection.model('ConnectionAlias', connectionAliasSchema),
    SoftwareModel: connection.model('SoftwareModel', softwareModelSchema),
    UnrecognizedIdentifier: connection.model('UnrecognizedIdentifier', unrecognizedIdentifierSchema),
    ExclusionRule: connection.model('ExclusionRule', exclusionRuleSchema),
    ReclamationRule: connection.model('ReclamationRule', reclamationRuleSchema),
    Consumption: connection.model('Consumption', consumptionSchema),
    JobRun: connection.model('JobRun', jobRunSchema),
    AuditEntry: connection.model('AuditEntry', auditEntrySchema),
    ReclaimSnapshot: connection.model('ReclaimSnapshot', reclaimSnapshotSchema),
    ReclaimSwitch: connection.model('ReclaimSwitch', reclaimSwitchSchema),
    ReclaimUndo: connection.model('ReclaimUndo', reclaimUndoSchema),
    LicenseEntitlement: connection.model('LicenseEntitlement', licenseEntitlementSchema),
    ProfilePricing: connection.model('ProfilePricing', profilePricingSchema),
    SavingsHistory: connection.model('SavingsHistory', savingsHistorySchema),
  };
}

export type Models = ReturnType<typeof bindModels>;

/**
 * Creates the indexes (uniqueness is part of correctness here). Run at process start.
 *
 * On FerretDB 1.x (tests, local runs) only the unique ones: its SQLite backend answers every filter
 * but `_id` equality with a scan, so a non-unique index is never read and only slows each insert
 * (about 30% for subscriptions, which is most of what a sync writes). MongoDB gets them all.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  const onFerretdb = await isFerretdb(models);
  for (const model of Object.values(models)) {
    if (!onFerretdb) {
      await model.createIndexes();
      continue;
    }
    for (const [fields, options] of model.schema.indexes()) {
      if (options?.unique)
        await model.collection.createIndex(fields as Record<string, 1 | -1>, { unique: true });
    }
  }
  await ensureProfileKeyedCollections(models, onFerretdb);
}

/** The driver's database under the models, for collections written without a mongoose model. */
export function rawDb(models: Models): Db {
  const db = models.IntegrationProfile.db.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  return db;
}

/** Collections written without a mongoose model, all rows keyed by `profileId`. */
export const PROFILE_KEYED_COLLECTIONS = ['candidate_ledgers', 'candidate_changes'] as const;

/**
 * Created here, at process start, rather than by their first insert: FerretDB creates a collection
 * holding its registry lock while it waits for a pooled PostgreSQL connection, and creations in the
 * middle of busy jobs are what jammed it (`engineQuirks.ts`). MongoDB gets their `profileId` index.
 */
async function ensureProfileKeyedCollections(models: Models, onFerretdb: boolean): Promise<void> {
  const db = rawDb(models);
  for (const name of PROFILE_KEYED_COLLECTIONS) {
    if (onFerretdb) {
      const found = await db.listCollections({ name }, { nameOnly: true }).toArray();
      if (found.length === 0) await db.createCollection(name).catch(ignoreAlreadyExists);
    } else {
      await db.collection(name).createIndex({ profileId: 1 });
    }
  }
}

function ignoreAlreadyExists(error: unknown): void {
  // Another process created it between our look and our create (code 48, NamespaceExists).
  if ((error as { code?: unknown }).code !== 48) throw error;
}

const serverKinds = new WeakMap<object, Promise<boolean>>();

/** Whether the server is FerretDB (asked once per connection). */
export function isFerretdb(models: Models): Promise<boolean> {
  const connection = models.IntegrationProfile.db;
  let known = serverKinds.get(connection);
  if (!known) {
    const db = connection.db;
    known = db
      ? db
          .admin()
          .command({ buildInfo: 1 })
          .then((info) => typeof info.ferretdbVersion === 'string')
      : Promise.resolve(false);
    // A failed probe is asked again next time rather than remembered.
    known.catch(() => serverKinds.delete(connection));
    serverKinds.set(connection, known);
  }
  return known;
}
