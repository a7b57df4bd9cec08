/**
 * The org's license definitions → software models (auto-created, one per identifier), their
 * default reclamation rules, and unrecognized identifiers. All small sets (tens of rows).
 */
import { ObjectId } from 'mongodb';
import { bulkWriteInChunks } from '../../../shared/db/bulkWriteInChunks.js';
import type { Models } from '../../../shared/db/models.js';
import {
  modelOfPackageLicense,
  modelOfPermissionSetLicense,
  modelsOfFeatureLicenses,
  modelsOfUserLicense,
  type ModelDescriptor,
} from '../../../shared/domain/licenseMapping.js';
import { defaultRuleFor } from '../../../shared/domain/reclamationRules.js';
import { insertIgnoringDuplicates } from '../../insertIgnoringDuplicates.js';

export interface LicenseDefinitions {
  userLicenses: {
    Name: string;
    LicenseDefinitionKey: string;
    Status: string | null;
    TotalLicenses: number | null;
    UsedLicenses: number | null;
  }[];
  permissionSetLicenses: {
    DeveloperName: string;
    MasterLabel: string;
    Status: string | null;
    TotalLicenses: number | null;
    UsedLicenses: number | null;
  }[];
  packageLicenses: {
    NamespacePrefix: string;
    Status: string | null;
    AllowedLicenses: number | null;
    UsedLicenses: number | null;
  }[];
}

export interface Catalog {
  modelIds: Map<string, ObjectId>;
  /** Identifiers with no model, with the org's label for them. */
  unrecognizedLabels: Map<string, string>;
  modelsCreated: number;
  rulesCreated: number;
  writes: number;
}

/** Descriptors for every definition; user licenses an admin mapped by hand count as recognized. */
export function describeModels(
  definitions: LicenseDefinitions,
  mappedProducts: ReadonlyMap<string, string>,
): { models: ModelDescriptor[]; unrecognized: Map<string, string> } {
  const models: ModelDescriptor[] = [];
  const unrecognized = new Map<string, string>();
  for (const license of definitions.userLicenses) {
    const described = modelsOfUserLicense({
      licenseDefinitionKey: license.LicenseDefinitionKey,
      name: license.Name,
      status: license.Status,
      totalLicenses: license.TotalLicenses,
      usedLicenses: license.UsedLicenses,
    });
    models.push(...described.models);
    if (!described.unrecognized) continue;
    const mapped = mappedProducts.get(described.unrecognized.identifier);
    if (mapped) {
      models.push({
        identifier: described.unrecognized.identifier,
        product: mapped,
        licenseType: 'user',
        label: license.Name,
        totalLicenses: license.TotalLicenses,
        usedLicenses: license.UsedLicenses,
        status: license.Status,
      });
    } else {
      unrecognized.set(described.unrecognized.identifier, described.unrecognized.label);
    }
  }
  for (const psl of definitions.permissionSetLicenses) {
    models.push(
      modelOfPermissionSetLicense({
        developerName: psl.DeveloperName,
        masterLabel: psl.MasterLabel,
        status: psl.Status,
        totalLicenses: psl.TotalLicenses,
        usedLicenses: psl.UsedLicenses,
      }),
    );
  }
  for (const pkg of definitions.packageLicenses) {
    models.push(
      modelOfPackageLicense({
        namespacePrefix: pkg.NamespacePrefix,
        status: pkg.Status,
        allowedLicenses: pkg.AllowedLicenses,
        usedLicenses: pkg.UsedLicenses,
      }),
    );
  }
  models.push(...modelsOfFeatureLicenses());
  return { models, unrecognized };
}

/**
 * Inserts models seen for the first time, refreshes the totals of known ones, and gives every
 * model that can be reclaimed its default rule unless it has one (a rule an admin changed is kept;
 * an existing rule is never overwritten — disable a rule rather than delete it).
 */
export async function syncCatalog(
  models: Models,
  profileId: ObjectId,
  syncId: string,
  definitions: LicenseDefinitions,
  now: Date,
): Promise<Catalog> {
  const mapped = await models.UnrecognizedIdentifier.find({ profileId, status: 'mapped' }).lean();
  const mappedProducts = new Map(
    mapped.flatMap((m) => (m.mappedProduct ? [[m.identifier, m.mappedProduct]] : [])),
  );
  const { models: descriptors, unrecognized } = describeModels(definitions, mappedProducts);
  const existing = new Set(
    (await models.SoftwareModel.find({ profileId }, { identifier: 1 }).lean()).map((m) => m.identifier),
  );
  const fresh = descriptors.filter((d) => !existing.has(d.identifier));
  const modelCollection = models.SoftwareModel.collection;
  const modelsCreated = await insertIgnoringDuplicates(
    modelCollection,
    fresh.map((d) => ({
      _id: new ObjectId(),
      profileId,
      publisher: 'Salesforce',
      ...d,
      assignedCount: 0,
      lastSyncId: syncId,
      createdAt: now,
      updatedAt: now,
    })),
  );
  const refreshed = await bulkWriteInChunks(
    modelCollection,
    descriptors
      .filter((d) => existing.has(d.identifier))
      .map((d) => ({
        updateOne: {
          filter: { profileId, identifier: d.identifier },
          update: {
            $set: {
              label: d.label,
              totalLicenses: d.totalLicenses,
              usedLicenses: d.usedLicenses,
              status: d.status,
              lastSyncId: syncId,
              updatedAt: now,
            },
          },
        },
      })),
  );
  const all = await models.SoftwareModel.find(
    { profileId },
    { identifier: 1, product: 1, licenseType: 1 },
  ).lean();
  const rules = all.flatMap((m) => {
    const rule = defaultRuleFor({ identifier: m.identifier, product: m.product, licenseType: m.licenseType });
    return rule
      ? [{ _id: new ObjectId(), profileId, ...rule, reviewedBy: null, createdAt: now, updatedAt: now }]
      : [];
  });
  const rulesCreated = await insertIgnoringDuplicates(models.ReclamationRule.collection, rules);
  return {
    modelIds: new Map(all.map((m) => [m.identifier, m._id])),
    unrecognizedLabels: unrecognized,
    modelsCreated,
    rulesCreated,
    writes: modelsCreated + refreshed.modified + rulesCreated,
  };
}

export interface IdentifierCount {
  rows: number;
  seats: number;
}

/** Seats held per model and rows per unrecognized identifier, as this sync found them. */
export async function recordCounts(
  models: Models,
  profileId: ObjectId,
  syncId: string,
  catalog: Catalog,
  counts: ReadonlyMap<string, IdentifierCount>,
  now: Date,
): Promise<number> {
  const modelWrites = await bulkWriteInChunks(
    models.SoftwareModel.collection,
    [...catalog.modelIds.keys()].map((identifier) => ({
      updateOne: {
        filter: { profileId, identifier },
        update: {
          $set: { assignedCount: counts.get(identifier)?.seats ?? 0, lastSyncId: syncId, updatedAt: now },
        },
      },
    })),
  );
  const unrecognized = [...counts.entries()].filter(([identifier]) => !catalog.modelIds.has(identifier));
  const unrecognizedWrites = await bulkWriteInChunks(
    models.UnrecognizedIdentifier.collection,
    unrecognized.map(([identifier, count]) => ({
      updateOne: {
        filter: { profileId, identifier },
        update: {
          $set: {
            label: catalog.unrecognizedLabels.get(identifier) ?? identifier,
            subscriptionCount: count.rows,
            lastSyncId: syncId,
            updatedAt: now,
          },
          $setOnInsert: { status: 'open', mappedProduct: null, decidedBy: null, createdAt: now },
        },
        upsert: true,
      },
    })),
  );
  const cleared = await models.UnrecognizedIdentifier.updateMany(
    { profileId, lastSyncId: { $ne: syncId }, subscriptionCount: { $ne: 0 } },
    { $set: { subscriptionCount: 0 } },
  );
  return (
    modelWrites.modified + unrecognizedWrites.upserted + unrecognizedWrites.modified + cleared.modifiedCount
  );
}
