/**
 * Validate: prove, without changing anything, that seatwise can do its work in the org. Every
 * check is recorded with its outcome on `profile.lastValidation` (the api's publish gate and the
 * admin's list of what is missing). A failed check is a successful job with ok=false; only a
 * transient failure (retryable, org paused) fails or delays the job.
 */
import { runPayloadSchema } from '../../shared/jobs/runPayload.js';
import { SalesforceError } from '../../shared/salesforce/salesforceError.js';
import type { SalesforceOrgClient } from '../../shared/salesforce/salesforceClient.js';
import type { JobProcessor, WorkerDeps } from '../workerDeps.js';

export interface ValidationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

interface CheckSpec {
  name: string;
  run(client: SalesforceOrgClient): Promise<{ ok: boolean; detail: string }>;
  /** An object some editions lack: INVALID_TYPE passes, noted. */
  optionalObject?: boolean;
}

const countCheck = (name: string, sobject: string, noun: string, optionalObject = false): CheckSpec => ({
  name,
  optionalObject,
  async run(client) {
    const n = await client.count(`SELECT COUNT() FROM ${sobject}`);
    return { ok: true, detail: `${n} ${noun} readable` };
  },
});

const CHECKS: readonly CheckSpec[] = [
  countCheck('users', 'User', 'users'),
  countCheck('userLicenses', 'UserLicense', 'user licenses'),
  countCheck('permissionSetLicenses', 'PermissionSetLicense', 'permission-set licenses'),
  countCheck(
    'permissionSetLicenseAssignments',
    'PermissionSetLicenseAssign',
    'permission-set license assignments',
  ),
  countCheck('packageLicenses', 'PackageLicense', 'package licenses'),
  countCheck('packageLicenseAssignments', 'UserPackageLicense', 'package license assignments'),
  {
    name: 'limits',
    async run(client) {
      const limits = await client.limits();
      const daily = limits.DailyApiRequests;
      return daily
        ? { ok: true, detail: `daily API requests: ${daily.max - daily.remaining} of ${daily.max} used` }
        : { ok: false, detail: '/limits answered without DailyApiRequests' };
    },
  },
  countCheck('usageEntitlements', 'TenantUsageEntitlement', 'usage-based entitlements', true),
  {
    name: 'reclaimDeactivate',
    async run(client) {
      const user = await client.describe('User');
      const isActive = user.fields.find((f) => f.name === 'IsActive');
      if (!user.updateable) return { ok: false, detail: 'User is not updateable for the integration user' };
      if (!isActive?.updateable) {
        return {
          ok: false,
          detail: 'User.IsActive is not updateable for the integration user (cannot deactivate)',
        };
      }
      return { ok: true, detail: 'User.IsActive is updateable (users can be deactivated)' };
    },
  },
  {
    name: 'reclaimFreeze',
    async run(client) {
      const login = await client.describe('UserLogin');
      const isFrozen = login.fields.find((f) => f.name === 'IsFrozen');
      if (!login.updateable)
        return { ok: false, detail: 'UserLogin is not updateable for the integration user' };
      if (!isFrozen?.updateable) {
        return {
          ok: false,
          detail: 'UserLogin.IsFrozen is not updateable for the integration user (cannot freeze)',
        };
      }
      return { ok: true, detail: 'UserLogin.IsFrozen is updateable (users can be frozen)' };
    },
  },
];

/** A transient failure is the job's to retry or delay; everything else is the check's outcome. */
function isTransient(error: unknown): boolean {
  return error instanceof SalesforceError && (error.retryable || error.pausesOrg);
}

function describeFailure(error: unknown): string {
  if (error instanceof SalesforceError) return `${error.errorCode}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

const REAUTHORIZE = 're-authorize the connection alias';

export function createValidateProcessor(deps: WorkerDeps): JobProcessor {
  return async (job) => {
    const { profileId, runId } = runPayloadSchema.parse(job.data);
    const checks: ValidationCheck[] = [];
    let client: SalesforceOrgClient | null = null;
    try {
      client = await deps.salesforceFor(profileId);
      const tokens = await client.connect();
      checks.push({
        name: 'token',
        ok: true,
        detail: `connected to org ${tokens.orgId} as user ${tokens.userId}`,
      });
    } catch (error) {
      if (isTransient(error)) throw error;
      const detail =
        error instanceof SalesforceError && error.kind === 'auth'
          ? `Salesforce refused the credentials (${describeFailure(error)}): ${REAUTHORIZE}`
          : `could not connect (${describeFailure(error)}): check the alias and ${REAUTHORIZE}`;
      checks.push({ name: 'token', ok: false, detail });
    }
    if (client && checks[0]?.ok) {
      for (const [index, spec] of CHECKS.entries()) {
        try {
          checks.push({ name: spec.name, ...(await spec.run(client)) });
        } catch (error) {
          if (isTransient(error)) throw error;
          if (spec.optionalObject && error instanceof SalesforceError && error.errorCode === 'INVALID_TYPE') {
            checks.push({ name: spec.name, ok: true, detail: 'not available in this edition (skipped)' });
            continue;
          }
          checks.push({ name: spec.name, ok: false, detail: describeFailure(error) });
          if (error instanceof SalesforceError && error.kind === 'auth') {
            // The session died mid-way: the remaining checks cannot tell anything more.
            for (const rest of CHECKS.slice(index + 1)) {
              checks.push({ name: rest.name, ok: false, detail: `not checked: ${REAUTHORIZE}` });
            }
            break;
          }
        }
      }
    }
    const ok = checks.length === CHECKS.length + 1 && checks.every((c) => c.ok);
    const at = new Date();
    await deps.models.IntegrationProfile.updateOne(
      { _id: profileId },
      { $set: { lastValidation: { runId, ok, at, checks } } },
      { timestamps: false },
    );
    const stats = client?.stats();
    return {
      counts: {
        records: stats?.records ?? 0,
        pages: stats?.pages ?? 0,
        apiCalls: stats?.calls ?? 0,
        writes: 1,
      },
      apiUsage: client ? await client.apiUsage().catch(() => null) : null,
      result: { ok, checks },
    };
  };
}
