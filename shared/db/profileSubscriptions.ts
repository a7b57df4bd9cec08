/**
 * Each profile's subscription rows live in a collection of their own,
 * `software_subscriptions_<profileId>`. Every read of them is one profile's (the candidates scan,
 * the previous snapshot, the clean-up, the results pages), and FerretDB answers any filter but
 * `_id` equality by decoding the whole collection: with one shared collection, each of 40 orgs'
 * syncs decoded all 40 orgs' rows. Per profile, a scan costs that profile's rows on MongoDB too,
 * and deleting a profile drops its collection instead of deleting its rows one by one.
 */
import type { Connection, Model } from 'mongoose';
import type { ObjectId } from 'mongodb';
import {
  softwareSubscriptionSchema,
  type SoftwareSubscription,
} from './models/softwareSubscription.model.js';
import { isFerretdb, type Models } from './models.js';

export type SubscriptionModel = Model<SoftwareSubscription>;

export function subscriptionCollectionName(profileId: ObjectId | string): string {
  return `software_subscriptions_${String(profileId)}`;
}

function connectionOf(models: Models): Connection {
  return models.IntegrationProfile.db;
}

/** The model over one profile's rows; compiled once per connection and profile. */
export function subscriptionsOf(models: Models, profileId: ObjectId | string): SubscriptionModel {
  const connection = connectionOf(models);
  const name = `SoftwareSubscription_${String(profileId)}`;
  const existing = connection.models[name] as SubscriptionModel | undefined;
  return (
    existing ??
    connection.model<SoftwareSubscription>(
      name,
      softwareSubscriptionSchema,
      subscriptionCollectionName(profileId),
    )
  );
}

/**
 * Indexes of a profile's collection, created before its first rows are written (idempotent). On
 * FerretDB none: it never reads a non-unique index (see `ensureIndexes`).
 */
export async function ensureSubscriptionIndexes(models: Models, profileId: ObjectId | string): Promise<void> {
  if (await isFerretdb(models)) return;
  await subscriptionsOf(models, profileId).createIndexes();
}

/** Removes every row of the profile, whether or not its collection was ever created. */
export async function dropSubscriptions(models: Models, profileId: ObjectId | string): Promise<void> {
  const model = subscriptionsOf(models, profileId);
  const db = connectionOf(models).db;
  const found = db ? await db.listCollections({ name: model.collection.collectionName }).toArray() : [];
  if (found.length > 0) await model.collection.drop();
  connectionOf(models).deleteModel(model.modelName);
}
