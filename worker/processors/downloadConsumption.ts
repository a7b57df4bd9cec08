/**
 * downloadConsumption: the org's `/limits` and its usage-based entitlements (TenantUsageEntitlement,
 * absent in some editions: skipped and noted) into Consumption, one row per metric. Small (tens of
 * rows), so an upsert per metric is fine; rows of metrics the org no longer reports are removed.
 * An entitlement's EndDate is the contract's end, not the period's: the period stored is the current
 * billing window, derived from StartDate and Frequency (shared/domain/billingWindow.ts).
 */
import { z } from 'zod';
import { BULK_CHUNK_SIZE } from '../../shared/db/bulkWriteInChunks.js';
import { billingWindow } from '../../shared/domain/billingWindow.js';
import { runPayloadSchema } from '../../shared/jobs/runPayload.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { JobProcessor, WorkerDeps } from '../workerDeps.js';

const ENTITLEMENT_SOQL =
  'SELECT MasterLabel, ResourceGroupKey, Setting, StartDate, EndDate, CurrentAmountAllowed, AmountUsed, Frequency, UsageDate FROM TenantUsageEntitlement';

const salesforceDate = z
  .string()
  .nullish()
  .transform((v) => (v ? new Date(v) : null))
  .refine((d) => d === null || !Number.isNaN(d.getTime()), 'not a date');

const entitlementSchema = z.object({
  MasterLabel: z.string().nullish(),
  ResourceGroupKey: z.string().nullish(),
  Setting: z.string().nullish(),
  StartDate: salesforceDate,
  EndDate: salesforceDate,
  CurrentAmountAllowed: z.number().nullish(),
  AmountUsed: z.number().nullish(),
  Frequency: z.string().nullish(),
  UsageDate: salesforceDate,
});

interface ConsumptionRow {
  source: 'limits' | 'usage_entitlement';
  metric: string;
  label: string;
  used: number | null;
  allowed: number | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  frequency?: string | null;
  contractStart?: Date | null;
  contractEnd?: Date | null;
  contractEnded?: boolean;
  usageDate?: Date | null;
}

export function createDownloadConsumptionProcessor(deps: WorkerDeps): JobProcessor {
  return async (job) => {
    const { profileId, runId } = runPayloadSchema.parse(job.data);
    const client = await deps.salesforceFor(profileId);
    const asOf = new Date();
    const rows: ConsumptionRow[] = [];

    const limits = await client.limits();
    for (const [metric, limit] of Object.entries(limits)) {
      rows.push({
        source: 'limits',
        metric,
        label: metric,
        used: limit.max - limit.remaining,
        allowed: limit.max,
        periodStart: null,
        periodEnd: null,
      });
    }

    let entitlements: 'downloaded' | 'not available in this edition' = 'downloaded';
    try {
      const seen = new Set<string>();
      for await (const page of client.query(ENTITLEMENT_SOQL, entitlementSchema)) {
        for (const record of page.records) {
          // Setting is the useful key (ResourceGroupKey is usually "(tenant)"); keep keys unique.
          const base = record.Setting ?? record.MasterLabel ?? 'unnamed';
          let metric = base;
          for (let n = 2; seen.has(metric); n++) metric = `${base} #${n}`;
          seen.add(metric);
          const window = billingWindow({
            startDate: record.StartDate,
            endDate: record.EndDate,
            frequency: record.Frequency ?? null,
            // AmountUsed was measured at UsageDate: its window is the one holding that instant.
            asOf: record.UsageDate ?? asOf,
          });
          rows.push({
            source: 'usage_entitlement',
            metric,
            label: record.MasterLabel ?? base,
            // null AmountUsed = not metered, which is not zero.
            used: record.AmountUsed ?? null,
            allowed: record.CurrentAmountAllowed ?? null,
            periodStart: window?.start ?? null,
            periodEnd: window?.end ?? null,
            frequency: record.Frequency ?? null,
            contractStart: record.StartDate,
            contractEnd: record.EndDate,
            contractEnded: window?.contractEnded ?? false,
            usageDate: record.UsageDate,
          });
        }
      }
    } catch (error) {
      if (!(error instanceof SalesforceError && error.errorCode === 'INVALID_TYPE')) throw error;
      entitlements = 'not available in this edition';
    }

    let writes = 0;
    // Model.bulkWrite casts the profile id and stamps timestamps; chunks stay within FerretDB's limit.
    for (let at = 0; at < rows.length; at += BULK_CHUNK_SIZE) {
      const result = await deps.models.Consumption.bulkWrite(
        rows.slice(at, at + BULK_CHUNK_SIZE).map((row) => ({
          updateOne: {
            filter: { profileId, source: row.source, metric: row.metric },
            update: { $set: { ...row, asOf, runId } },
            upsert: true,
          },
        })),
        { ordered: true },
      );
      writes += result.upsertedCount + result.modifiedCount;
    }
    const removed = await deps.models.Consumption.deleteMany({ profileId, runId: { $ne: runId } });

    const stats = client.stats();
    return {
      counts: {
        records: stats.records + Object.keys(limits).length,
        pages: stats.pages,
        apiCalls: stats.calls,
        writes: writes + removed.deletedCount,
      },
      apiUsage: await client.apiUsage(),
      result: {
        limits: rows.filter((r) => r.source === 'limits').length,
        usageEntitlements: rows.filter((r) => r.source === 'usage_entitlement').length,
        entitlements,
      },
    };
  };
}
