/**
 * The demo's savings part, through the public API only: it enters a currency and illustrative list
 * prices per seat per month (the simulator's orgs come with owned seats, not prices), and prints each
 * org's compliance position and its potential and realized monthly savings.
 */
import { z } from 'zod';
import { formatMinor } from '../../shared/domain/money.js';
import type { ApiDriver } from '../seatwiseApiDriver.js';

const CURRENCY = 'EUR';

/** Illustrative monthly list prices in cents; models not listed stay unpriced (their savings unknown). */
const DEMO_PRICES: Readonly<Record<string, number>> = {
  'UL:SFDC': 16_500,
  'UL:AUL': 2_500,
  'UL:PID_Customer_Community': 200,
  'UL:PID_Chatter': 1_500,
  'FL:SFContentUser': 0,
  'PSL:SalesforceCPQ_CPQStandardPerm': 7_500,
  'PSL:LightningConsoleUser': 5_000,
  'PKG:dsfs': 2_500,
};

const savingsSchema = z.object({
  currency: z.string().nullable(),
  models: z.array(
    z.object({
      identifier: z.string(),
      product: z.string(),
      used: z.number(),
      active: z.number(),
      owned: z.number().nullable(),
      reclaimable: z.number(),
      reclaimed: z.number(),
      pricePerSeatMonthMinor: z.number().nullable(),
      compliance: z.object({ status: z.string(), difference: z.number().nullable() }),
      potential: z.object({ monthlyMinor: z.number() }).nullable(),
    }),
  ),
  totals: z.object({
    reclaimable: z.number(),
    reclaimed: z.number(),
    underLicensed: z.number(),
    overLicensed: z.number(),
    trueUpMonthlyMinor: z.number().nullable(),
    potentialMonthlyMinor: z.number().nullable(),
    potentialAnnualMinor: z.number().nullable(),
    realizedMonthlyMinor: z.number().nullable(),
  }),
});

const modelsSchema = z.object({ items: z.array(z.object({ identifier: z.string() })) });

/** Sets the currency and the prices of the models the org has; returns how many were priced. */
export async function enterDemoPrices(api: ApiDriver, profileId: string): Promise<number> {
  const p = `/api/v1/profiles/${profileId}`;
  await api.call('prices', 'PUT', `${p}/currency`, z.unknown(), { currency: CURRENCY });
  const { items } = await api.call('prices', 'GET', `${p}/entitlements`, modelsSchema);
  let priced = 0;
  for (const { identifier } of items) {
    const price = DEMO_PRICES[identifier];
    if (price === undefined) continue;
    await api.call('prices', 'PUT', `${p}/entitlements/${encodeURIComponent(identifier)}`, z.unknown(), {
      pricePerSeatMonthMinor: price,
    });
    priced += 1;
  }
  return priced;
}

const money = (minor: number | null, currency: string) =>
  minor === null ? 'unknown' : `${formatMinor(minor, currency)} ${currency}`;

/** The lines the demo prints for one org. */
export async function savingsLines(api: ApiDriver, profileId: string): Promise<string[]> {
  const t = await api.call('savings', 'GET', `/api/v1/profiles/${profileId}/savings`, savingsSchema);
  const c = t.currency ?? CURRENCY;
  const lines = [
    `compliance: under-licensed ${t.totals.underLicensed} models (true-up exposure ${money(t.totals.trueUpMonthlyMinor, c)}/month), over-licensed ${t.totals.overLicensed} models`,
    `  ${'priced license'.padEnd(36)} ${'used'.padStart(6)} ${'active'.padStart(6)} ${'owned'.padStart(6)}  ${'position'.padEnd(16)} ${'reclaimable'.padStart(11)}  potential/month`,
  ];
  for (const m of t.models.filter((x) => x.pricePerSeatMonthMinor !== null && x.used > 0)) {
    const d = m.compliance.difference;
    const position = d === null ? 'unknown' : d > 0 ? `under by ${d}` : d < 0 ? `over by ${-d}` : 'balanced';
    lines.push(
      `  ${`${m.product} (${m.identifier})`.slice(0, 36).padEnd(36)} ${String(m.used).padStart(6)} ${String(m.active).padStart(6)} ${String(m.owned ?? '-').padStart(6)}  ${position.padEnd(16)} ${String(m.reclaimable).padStart(11)}  ${money(m.potential?.monthlyMinor ?? null, c)}`,
    );
  }
  lines.push(
    `savings: potential ${money(t.totals.potentialMonthlyMinor, c)}/month (${money(t.totals.potentialAnnualMinor, c)}/year) from ${t.totals.reclaimable} reclaimable seats; realized ${money(t.totals.realizedMonthlyMinor, c)}/month from ${t.totals.reclaimed} reclaimed seats`,
  );
  return lines;
}
