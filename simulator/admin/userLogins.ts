/**
 * A person logging in to the simulated org (a test control): moves the user's LastLoginDate, as a
 * real login would. Salesforce lets neither a deactivated nor a frozen user log in, so neither can
 * here; that is what makes a freeze a real block in tests.
 */
import { USER_FLAG } from '../org/orgGenerator.js';
import { normalizeId } from '../org/salesforceIds.js';
import type { SimOrg } from '../org/simOrg.js';

export class LoginRefusedError extends Error {}

export function logIn(org: SimOrg, rawId: string, at: Date): void {
  const id = normalizeId(rawId);
  const user = id ? (org.tables.get('user')?.rowOfId(id) ?? -1) : -1;
  if (!id || user < 0) throw new LoginRefusedError(`${org.orgId} has no user ${rawId}`);
  const flags = org.data.flags[user] ?? 0;
  if ((flags & USER_FLAG.active) === 0) throw new LoginRefusedError(`user ${id} is inactive`);
  if ((flags & USER_FLAG.frozen) !== 0) throw new LoginRefusedError(`user ${id} is frozen`);
  org.data.lastLogin[user] = Math.floor(at.getTime() / 1000) * 1000;
}
