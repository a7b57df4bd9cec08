/**
 * Savings and compliance read back: the table per software model, its history per sync, and the
 * people who hold seats in several profiles' orgs. JSON here; CSV in savingsCsv.ts.
 */
import { z } from 'zod';
import { pageQuery } from '../http/schemas.js';
import { crossOrgPeople, type CrossOrgPerson, type HeldSeat } from '../../shared/domain/crossOrgPeople.js';
import { readSeatHolders } from '../../shared/savings/seatFacts.js';
import { buildSavingsTable, type SavingsTable } from '../../shared/savings/savingsTable.js';
import type { ApiServices } from './apiServices.js';
import { plain } from './plain.js';
import { loadProfile } from './profiles.service.js';

export async function savingsTable(s: ApiServices, profileId: string): Promise<SavingsTable> {
  await loadProfile(s, profileId);
  return buildSavingsTable(s.models, profileId, new Date());
}

export const historyQuery = pageQuery(['at'], {
  /** Only this model's figures in each point (the totals stay). */
  identifier: z.string().min(1).max(300).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const historyCsvQuery = historyQuery.omit({ limit: true, offset: true, sort: true });
type HistoryFilter = z.infer<typeof historyCsvQuery>;

export interface HistoryPoint {
  runId: string;
  syncId: string | null;
  at: Date;
  currency: string | null;
  totals: Record<string, number | null>;
  models: {
    identifier: string;
    label: string;
    used: number;
    active: number;
    owned: number | null;
    reclaimable: number;
    reclaimed: number;
    pricePerSeatMonthMinor: number | null;
    potentialMonthlyMinor: number | null;
    realizedMonthlyMinor: number | null;
  }[];
}

async function historyFilter(s: ApiServices, profileId: string, q: HistoryFilter) {
  const profile = await loadProfile(s, profileId);
  const filter: Record<string, unknown> = { profileId: profile._id };
  if (q.from || q.to) {
    filter.at = { ...(q.from ? { $gte: new Date(q.from) } : {}), ...(q.to ? { $lte: new Date(q.to) } : {}) };
  }
  return filter;
}

function trimmed(point: HistoryPoint, identifier: string | undefined): HistoryPoint {
  return identifier ? { ...point, models: point.models.filter((m) => m.identifier === identifier) } : point;
}

/** Oldest first by default: the order a chart draws. */
export async function listHistory(s: ApiServices, profileId: string, q: z.infer<typeof historyQuery>) {
  const filter = await historyFilter(s, profileId, q);
  const order = q.sort === '-at' ? -1 : 1;
  const [items, total] = await Promise.all([
    s.models.SavingsHistory.find(filter, { _id: 0, profileId: 0 })
      .sort({ at: order, runId: order })
      .skip(q.offset)
      .limit(q.limit)
      .lean<HistoryPoint[]>(),
    s.models.SavingsHistory.countDocuments(filter),
  ]);
  return {
    items: items.map((p) => plain(trimmed(p, q.identifier))),
    total,
    limit: q.limit,
    offset: q.offset,
  };
}

export async function allHistory(
  s: ApiServices,
  profileId: string,
  q: HistoryFilter,
): Promise<HistoryPoint[]> {
  const filter = await historyFilter(s, profileId, q);
  const points = await s.models.SavingsHistory.find(filter, { _id: 0, profileId: 0 })
    .sort({ at: 1, runId: 1 })
    .lean<HistoryPoint[]>();
  return points.map((p) => trimmed(p, q.identifier));
}

export const peopleQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    /** At least this many orgs (default 2). */
    minOrgs: z.coerce.number().int().min(2).max(1_000).default(2),
  })
  .strict();
export const peopleCsvQuery = peopleQuery.omit({ limit: true, offset: true });

export interface PeopleAnswer {
  people: CrossOrgPerson[];
  profiles: Map<string, string>;
}

/**
 * Every profile's current download, joined on email or federation id. Read whole on each request
 * (there is no stored index of people); each seat carries its profile's price.
 */
export async function findCrossOrgPeople(s: ApiServices, minOrgs: number): Promise<PeopleAnswer> {
  const profiles = await s.models.IntegrationProfile.find(
    { activeSyncId: { $ne: null } },
    { displayName: 1, activeSyncId: 1 },
  ).lean();
  const seats: HeldSeat[] = [];
  for (const p of profiles) {
    const [pricing, entered] = await Promise.all([
      s.models.ProfilePricing.findOne({ profileId: p._id }).lean(),
      s.models.LicenseEntitlement.find(
        { profileId: p._id },
        { identifier: 1, pricePerSeatMonthMinor: 1 },
      ).lean(),
    ]);
    const prices = new Map(entered.map((e) => [e.identifier, e.pricePerSeatMonthMinor ?? null]));
    for await (const h of readSeatHolders(s.models, p._id, p.activeSyncId as string)) {
      if (!h.email && !h.federationId) continue;
      seats.push({
        profileId: String(p._id),
        userId: h.userId,
        username: h.username,
        email: h.email,
        federationId: h.federationId,
        isActive: h.isActive,
        identifier: h.identifier,
        priceMinor: pricing ? (prices.get(h.identifier) ?? null) : null,
        currency: pricing?.currency ?? null,
      });
    }
  }
  return {
    people: crossOrgPeople(seats, minOrgs),
    profiles: new Map(profiles.map((p) => [String(p._id), p.displayName])),
  };
}

export async function listCrossOrgPeople(s: ApiServices, q: z.infer<typeof peopleQuery>) {
  const { people, profiles } = await findCrossOrgPeople(s, q.minOrgs);
  const page = people.slice(q.offset, q.offset + q.limit).map((person) => ({
    ...person,
    accounts: person.accounts.map((a) => ({ ...a, profileName: profiles.get(a.profileId) ?? null })),
  }));
  return { items: page, total: people.length, limit: q.limit, offset: q.offset };
}
