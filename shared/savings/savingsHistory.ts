/**
 * One point of the savings history per computeCandidates run: the table as it stands once the run's
 * candidates are settled. Called from the end of the processor; a retried job rewrites its point.
 */
import { Types } from 'mongoose';
import type { Models } from '../db/models.js';
import { buildSavingsTable, type SavingsInputs } from './savingsTable.js';

export async function recordSavingsPoint(
  models: Models,
  profileId: string,
  runId: string,
  now: Date,
  /** What the caller holds already (a compute): read again otherwise. */
  inputs: SavingsInputs = {},
): Promise<void> {
  const table = await buildSavingsTable(models, profileId, now, inputs);
  const t = table.totals;
  await models.SavingsHistory.updateOne(
    { profileId: new Types.ObjectId(profileId), runId },
    {
      $set: {
        syncId: table.syncId,
        at: now,
        currency: table.currency,
        totals: {
          used: t.used,
          active: t.active,
          reclaimable: t.reclaimable,
          reclaimed: t.reclaimed,
          potentialMonthlyMinor: t.potentialMonthlyMinor,
          realizedMonthlyMinor: t.realizedMonthlyMinor,
        },
        models: table.models.map((m) => ({
          identifier: m.identifier,
          label: m.label,
          used: m.used,
          active: m.active,
          owned: m.owned,
          reclaimable: m.reclaimable,
          reclaimed: m.reclaimed,
          pricePerSeatMonthMinor: m.pricePerSeatMonthMinor,
          potentialMonthlyMinor: m.potential?.monthlyMinor ?? null,
          realizedMonthlyMinor: m.realized?.monthlyMinor ?? null,
        })),
      },
    },
    { upsert: true },
  );
}
