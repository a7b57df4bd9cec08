/**
 * The savings table, its history and the cross-org people as RFC 4180 CSV. Cells go through the
 * audit CSV's `csvCell` (formula-injection guard); numbers, and the amounts we format ourselves, are
 * written as they are: a number cannot be a formula, and "-20" prefixed with a quote would no longer
 * read as one in a spreadsheet. Amounts are decimal text in the row's currency ("1050.00").
 */
import type { Response } from 'express';
import type { CrossOrgPerson } from '../../shared/domain/crossOrgPeople.js';
import { formatMinor } from '../../shared/domain/money.js';
import type { SavingsTable } from '../../shared/savings/savingsTable.js';
import { csvCell } from './audit.service.js';
import type { HistoryPoint } from './savings.service.js';

const NUMBER = /^-?\d+(\.\d+)?$/;

function cell(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && NUMBER.test(value)) return value;
  return csvCell(value);
}

function line(cells: readonly unknown[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}

const money = (amount: number | null | undefined, currency: string | null) =>
  amount === null || amount === undefined || currency === null ? null : formatMinor(amount, currency);

export function savingsCsv(table: SavingsTable): string {
  const c = table.currency;
  let out = line([
    'identifier',
    'label',
    'product',
    'licenseType',
    'used',
    'active',
    'owned',
    'ownedSource',
    'difference',
    'compliance',
    'reclaimable',
    'reclaimed',
    'restored',
    'currency',
    'pricePerSeatMonth',
    'trueUpMonthly',
    'potentialMonthly',
    'potentialAnnual',
    'realizedMonthly',
    'realizedAnnual',
  ]);
  for (const r of table.models) {
    out += line([
      r.identifier,
      r.label,
      r.product,
      r.licenseType,
      r.used,
      r.active,
      r.owned,
      r.ownedSource,
      r.compliance.difference,
      r.compliance.status,
      r.reclaimable,
      r.reclaimed,
      r.restored,
      c,
      money(r.pricePerSeatMonthMinor, c),
      money(r.compliance.trueUpMonthlyMinor, c),
      money(r.potential?.monthlyMinor, c),
      money(r.potential?.annualMinor, c),
      money(r.realized?.monthlyMinor, c),
      money(r.realized?.annualMinor, c),
    ]);
  }
  return out;
}

export function historyCsv(points: readonly HistoryPoint[]): string {
  let out = line([
    'at',
    'runId',
    'identifier',
    'label',
    'used',
    'active',
    'owned',
    'reclaimable',
    'reclaimed',
    'currency',
    'pricePerSeatMonth',
    'potentialMonthly',
    'realizedMonthly',
  ]);
  for (const p of points) {
    for (const m of p.models) {
      out += line([
        p.at,
        p.runId,
        m.identifier,
        m.label,
        m.used,
        m.active,
        m.owned,
        m.reclaimable,
        m.reclaimed,
        p.currency,
        money(m.pricePerSeatMonthMinor, p.currency),
        money(m.potentialMonthlyMinor, p.currency),
        money(m.realizedMonthlyMinor, p.currency),
      ]);
    }
  }
  return out;
}

/** One row per account: the person (emails, federation ids) repeated, so a sheet can filter by org. */
export function peopleCsv(people: readonly CrossOrgPerson[], profiles: ReadonlyMap<string, string>): string {
  let out = line([
    'emails',
    'federationIds',
    'orgCount',
    'personMonthlyCost',
    'profileId',
    'profileName',
    'userId',
    'username',
    'isActive',
    'licenses',
    'currency',
    'accountMonthlyCost',
  ]);
  for (const p of people) {
    const personCost = Object.entries(p.monthlyCostMinor)
      .map(([currency, amount]) => `${formatMinor(amount, currency)} ${currency}`)
      .join('; ');
    for (const a of p.accounts) {
      out += line([
        p.emails.join('; '),
        p.federationIds.join('; '),
        p.orgCount,
        personCost,
        a.profileId,
        profiles.get(a.profileId) ?? null,
        a.userId,
        a.username,
        a.isActive,
        a.identifiers.join('; '),
        a.currency,
        money(a.monthlyCostMinor, a.currency),
      ]);
    }
  }
  return out;
}

/** Writes a whole (small) CSV answer as an attachment. */
export function sendCsv(filename: string, text: string): (res: Response) => Promise<void> {
  return async (res) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.end(text);
  };
}
