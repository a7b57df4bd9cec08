/**
 * An alias belongs to one org: the one its first authorization named, as Salesforce's identity URL
 * confirmed it. A later authorization naming another org (an admin logging in to the wrong org at
 * the generic login host, a My Domain re-pointed) would mix two orgs' licenses in one profile, so
 * it is refused (409 ORG_CHANGE_UNCONFIRMED) unless an admin confirms it; then the alias's profile
 * goes back to draft, unscheduled, and must be validated again before it is published.
 */
import { z } from 'zod';
import type { Actor } from '../http/auth.js';
import { ApiProblem } from '../http/problem.js';
import { conflict } from '../http/schemas.js';
import { appendAudit } from '../../shared/db/auditLog.js';
import type { OrgTokens } from '../../shared/salesforce/salesforceClient.js';
import type { AliasDoc } from './aliases.service.js';
import type { ApiServices } from './apiServices.js';

export const orgChangeQuery = z
  .object({
    /** Admin only: accept that this authorization names another org than the alias's. */
    confirmOrgChange: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true'),
  })
  .strict()
  .meta({ id: 'OrgChangeQuery' });

export interface OrgChangeConsent {
  confirmed: boolean;
  actor: Actor;
}

/** Refuses a confirmation from anyone but an admin before anything is sent to Salesforce. */
export function checkConsent(consent: OrgChangeConsent): void {
  if (consent.confirmed && consent.actor.role !== 'admin') {
    throw new ApiProblem(403, 'FORBIDDEN', 'only an admin may confirm that an alias moves to another org', {
      requiredRoles: ['admin'],
    });
  }
}

/** The org an alias is bound to, or null before its first authorization. */
export function boundOrgOf(alias: AliasDoc): string | null {
  return alias.orgId ?? alias.tokens?.orgId ?? null;
}

/**
 * Called with freshly granted (identity-verified) tokens, before they are stored. Same org, or an
 * alias never authorized before: nothing to do. Another org: refused, or, confirmed by an admin,
 * the profile is unpublished and the change audited.
 */
export async function acceptGrantedOrg(
  s: ApiServices,
  alias: AliasDoc,
  tokens: OrgTokens,
  consent: OrgChangeConsent,
): Promise<void> {
  const bound = boundOrgOf(alias);
  if (bound === null || bound === tokens.orgId) return;
  if (!consent.confirmed) {
    throw conflict(
      'ORG_CHANGE_UNCONFIRMED',
      `this authorization is for org ${tokens.orgId}, but the alias belongs to org ${bound}; nothing was stored. An admin may authorize again with confirmOrgChange=true, which unpublishes the alias's profile until it is validated again`,
      { currentOrgId: bound, grantedOrgId: tokens.orgId },
    );
  }
  checkConsent(consent);
  let profileStatus: string | null = null;
  if (alias.profileId) {
    const profile = await s.models.IntegrationProfile.findById(alias.profileId)
      .select({ status: 1 })
      .lean<{ status: string }>();
    profileStatus = profile?.status ?? null;
    if (profile && profile.status !== 'draft') {
      await s.pipeline.unscheduleProfile(s.pipelineDeps, String(alias.profileId));
      await s.models.IntegrationProfile.updateOne(
        { _id: alias.profileId },
        { $set: { status: 'draft', updatedBy: consent.actor.name, configChangedAt: new Date() } },
      );
    }
  }
  await appendAudit(s.models, [
    {
      profileId: alias.profileId ?? null,
      action: 'org_change_confirmed',
      actor: consent.actor.name,
      outcome: profileStatus && profileStatus !== 'draft' ? 'profile_unpublished' : 'alias_moved',
      evidence: {
        aliasId: String(alias._id),
        fromOrgId: bound,
        toOrgId: tokens.orgId,
        profileStatusBefore: profileStatus,
      },
    },
  ]);
  s.log.warn(
    { aliasId: String(alias._id), fromOrgId: bound, toOrgId: tokens.orgId, actor: consent.actor.name },
    'alias moved to another org on an admin’s confirmation',
  );
}
