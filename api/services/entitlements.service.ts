/**
 * What a profile's org owns and pays per software model: owned seats (entered, else the org's
 * TotalLicenses) and a price per seat per month in the profile's one currency (ISO 4217, minor units).
 */
import { auditConfigChange, changedFields } from './configAudit.js';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem, notFound } from '../http/problem.js';
import { conflict, objectId } from '../http/schemas.js';
import { isKnownCurrency } from '../../shared/domain/money.js';
import type { ApiServices } from './apiServices.js';
import { loadProfile } from './profiles.service.js';

/**
 * The largest seat count and price (100,000.00 a seat a month) accepted: far beyond any org, and a
 * model's annual amount (seats × price × 12) stays an exact integer, so the worker never refuses one.
 */
const MAX_SEATS = 10_000_000;
const MAX_PRICE_MINOR = 10_000_000;

export const currencySchema = z
  .object({
    currency: z
      .string()
      .refine(isKnownCurrency, 'must be an ISO 4217 currency code in upper case, e.g. EUR or USD'),
  })
  .strict()
  .meta({ id: 'ProfileCurrency' });

export const entitlementUpdateSchema = z
  .object({
    /** null: use the org's TotalLicenses again. */
    ownedSeats: z.number().int().min(0).max(MAX_SEATS).nullable().optional(),
    /** Minor units of the profile's currency (cents for EUR); null: no price. */
    pricePerSeatMonthMinor: z.number().int().min(0).max(MAX_PRICE_MINOR).nullable().optional(),
  })
  .strict()
  .refine((b) => b.ownedSeats !== undefined || b.pricePerSeatMonthMinor !== undefined, {
    message: 'give ownedSeats, pricePerSeatMonthMinor or both',
  })
  .meta({ id: 'EntitlementUpdate' });

export const identifierParams = z.object({ id: objectId, identifier: z.string().min(1).max(300) }).strict();

export const entitlementSchema = z
  .object({
    identifier: z.string(),
    label: z.string(),
    licenseType: z.string(),
    orgTotalLicenses: z.number().nullable(),
    ownedSeats: z.number().nullable(),
    owned: z.number().nullable(),
    ownedSource: z.enum(['entered', 'org']).nullable(),
    pricePerSeatMonthMinor: z.number().nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'Entitlement' });
export const entitlementListSchema = z
  .object({ currency: z.string().nullable(), items: z.array(entitlementSchema) })
  .meta({ id: 'EntitlementList' });

type EntitlementView = z.infer<typeof entitlementSchema>;

function viewOf(
  m: { identifier: string; label: string; licenseType: string; totalLicenses?: number | null },
  e: { ownedSeats?: number | null; pricePerSeatMonthMinor?: number | null; updatedBy?: string } | undefined,
): EntitlementView {
  const orgTotal = typeof m.totalLicenses === 'number' && m.totalLicenses >= 0 ? m.totalLicenses : null;
  const ownedSeats = e?.ownedSeats ?? null;
  return {
    identifier: m.identifier,
    label: m.label,
    licenseType: m.licenseType,
    orgTotalLicenses: m.totalLicenses ?? null,
    ownedSeats,
    owned: ownedSeats ?? orgTotal,
    ownedSource: ownedSeats !== null ? 'entered' : orgTotal !== null ? 'org' : null,
    pricePerSeatMonthMinor: e?.pricePerSeatMonthMinor ?? null,
    updatedBy: e?.updatedBy ?? null,
  };
}

export async function listEntitlements(s: ApiServices, profileId: string) {
  const profile = await loadProfile(s, profileId);
  const [models, entered, pricing] = await Promise.all([
    s.models.SoftwareModel.find({ profileId: profile._id }).sort({ identifier: 1 }).lean(),
    s.models.LicenseEntitlement.find({ profileId: profile._id }).lean(),
    s.models.ProfilePricing.findOne({ profileId: profile._id }).lean(),
  ]);
  const byIdentifier = new Map(entered.map((e) => [e.identifier, e]));
  return {
    currency: pricing?.currency ?? null,
    items: models.map((m) => viewOf(m, byIdentifier.get(m.identifier))),
  };
}

/**
 * Sets the profile's currency. Refused while prices are entered in another one: they would silently
 * change meaning (clear them, or enter them again, after the change).
 */
export async function setCurrency(s: ApiServices, profileId: string, currency: string, actor: Actor) {
  const profile = await loadProfile(s, profileId);
  const current = await s.models.ProfilePricing.findOne({ profileId: profile._id }).lean();
  if (current && current.currency !== currency) {
    const priced = await s.models.LicenseEntitlement.countDocuments({
      profileId: profile._id,
      pricePerSeatMonthMinor: { $ne: null },
    });
    if (priced > 0) {
      throw conflict(
        'PRICED_IN_OTHER_CURRENCY',
        `${priced} prices are entered in ${current.currency}; clear them before changing the currency`,
        { currency: current.currency, priced },
      );
    }
  }
  await s.models.ProfilePricing.updateOne(
    { profileId: profile._id },
    { $set: { currency, updatedBy: actor.name } },
    { upsert: true },
  );
  if (current?.currency !== currency) {
    await auditConfigChange(s, {
      profileId,
      action: 'currency_set',
      actor,
      change: { currency: { from: current?.currency ?? null, to: currency } },
    });
  }
  return { currency };
}

export async function updateEntitlement(
  s: ApiServices,
  profileId: string,
  identifier: string,
  body: z.infer<typeof entitlementUpdateSchema>,
  actor: Actor,
): Promise<EntitlementView> {
  const profile = await loadProfile(s, profileId);
  const model = await s.models.SoftwareModel.findOne({ profileId: profile._id, identifier }).lean();
  if (!model) throw notFound('software model', identifier);
  if (body.pricePerSeatMonthMinor != null) {
    const pricing = await s.models.ProfilePricing.findOne({ profileId: profile._id }).lean();
    if (!pricing) {
      throw new ApiProblem(422, 'PREREQUISITE_MISSING', "set the profile's currency before a price", {
        errors: [{ field: 'body.pricePerSeatMonthMinor', message: 'the profile has no currency yet' }],
      });
    }
  }
  const set: Record<string, unknown> = { updatedBy: actor.name };
  if (body.ownedSeats !== undefined) set.ownedSeats = body.ownedSeats;
  if (body.pricePerSeatMonthMinor !== undefined) set.pricePerSeatMonthMinor = body.pricePerSeatMonthMinor;
  const filter = { profileId: new Types.ObjectId(profileId), identifier };
  const before = await s.models.LicenseEntitlement.findOne(filter).lean();
  const saved = await s.models.LicenseEntitlement.findOneAndUpdate(
    filter,
    { $set: set },
    { upsert: true, returnDocument: 'after' },
  ).lean();
  const change = changedFields(before as Record<string, unknown> | null, {
    ...(body.ownedSeats !== undefined ? { ownedSeats: body.ownedSeats } : {}),
    ...(body.pricePerSeatMonthMinor !== undefined
      ? { pricePerSeatMonthMinor: body.pricePerSeatMonthMinor }
      : {}),
  });
  if (Object.keys(change).length > 0) {
    await auditConfigChange(s, {
      profileId,
      action: 'entitlement_set',
      actor,
      change: { identifier, ...change },
    });
  }
  return viewOf(model, saved ?? undefined);
}
