/**
 * From a profile id to what the Salesforce client needs: the alias's credentials opened from the
 * secret box, and a TokenStore that seals refreshed tokens back onto the alias. Decrypted values
 * live only in the returned objects, never in logs, errors or job data.
 */
import type { EncryptedValue, SecretBox } from '../crypto/secretBox.js';
import { SeatwiseError } from '../errors.js';
import type { OrgCredentials, OrgTokens, TokenStore } from '../salesforce/salesforceClient.js';
import type { Models } from './models.js';

export interface OrgAccess {
  aliasId: string;
  credentials: OrgCredentials;
  tokenStore: TokenStore;
}

/** Tokens as an alias stores them: both secrets sealed. */
export interface StoredTokens {
  accessToken: EncryptedValue;
  refreshToken?: EncryptedValue | null;
  instanceUrl: string;
  orgId: string;
  userId: string;
  issuedAt: Date;
}

interface StoredAlias {
  _id: unknown;
  instanceUrl: string;
  grantType: 'authorization_code' | 'client_credentials';
  clientId: string;
  clientSecret?: EncryptedValue | null;
  orgId?: string | null;
  tokens?: StoredTokens | null;
}

/** Loads the profile's alias and opens its secrets; fails with a code an admin can act on. */
export async function loadOrgAccess(models: Models, box: SecretBox, profileId: string): Promise<OrgAccess> {
  const profile = await models.IntegrationProfile.findById(profileId, { aliasId: 1 }).lean<{
    aliasId?: unknown;
  }>();
  if (!profile) throw new SeatwiseError('PROFILE_NOT_FOUND', 'no such profile', { profileId });
  if (!profile.aliasId) {
    throw new SeatwiseError('PROFILE_HAS_NO_ALIAS', 'the profile has no connection alias', { profileId });
  }
  const aliasId = String(profile.aliasId);
  const alias = await models.ConnectionAlias.findById(aliasId).lean<StoredAlias>();
  if (!alias) {
    throw new SeatwiseError('ALIAS_NOT_FOUND', 'the profile’s connection alias no longer exists', {
      profileId,
      aliasId,
    });
  }
  const tokens = openTokens(box, aliasId, alias.tokens);
  return {
    aliasId,
    credentials: {
      aliasId,
      orgId: alias.orgId ?? alias.tokens?.orgId ?? null,
      instanceUrl: alias.instanceUrl,
      grantType: alias.grantType,
      clientId: alias.clientId,
      clientSecret: alias.clientSecret
        ? box.open(alias.clientSecret, { aliasId, field: 'clientSecret' })
        : '',
      tokens,
    },
    tokenStore: aliasTokenStore(models, box, aliasId),
  };
}

function openTokens(
  box: SecretBox,
  aliasId: string,
  stored: StoredTokens | null | undefined,
): OrgTokens | null {
  if (!stored) return null;
  return {
    accessToken: box.open(stored.accessToken, { aliasId, field: 'accessToken' }),
    refreshToken: stored.refreshToken
      ? box.open(stored.refreshToken, { aliasId, field: 'refreshToken' })
      : null,
    instanceUrl: stored.instanceUrl,
    orgId: stored.orgId,
    userId: stored.userId,
    issuedAt: new Date(stored.issuedAt),
  };
}

/** Seals an alias's tokens, each bound to the alias and its field. */
export function sealTokens(box: SecretBox, aliasId: string, tokens: OrgTokens): StoredTokens {
  return {
    accessToken: box.seal(tokens.accessToken, { aliasId, field: 'accessToken' }),
    refreshToken: tokens.refreshToken
      ? box.seal(tokens.refreshToken, { aliasId, field: 'refreshToken' })
      : null,
    instanceUrl: tokens.instanceUrl,
    orgId: tokens.orgId,
    userId: tokens.userId,
    issuedAt: tokens.issuedAt,
  };
}

/**
 * Saves tokens sealed on the alias; a dead grant marks the alias for re-authorization. The fence
 * of a conditional save is the stored tokens' `issuedAt` (plain, unlike the sealed values, whose
 * ciphertext changes when keys are rotated): every token answer has its own.
 */
export function aliasTokenStore(models: Models, box: SecretBox, aliasId: string): TokenStore {
  return {
    key: `alias:${aliasId}`,
    async current() {
      const alias = await models.ConnectionAlias.findById(aliasId, { tokens: 1 }).lean<{
        tokens?: StoredTokens | null;
      }>();
      return openTokens(box, aliasId, alias?.tokens);
    },
    async save(tokens, replacing) {
      const result = await models.ConnectionAlias.updateOne(
        replacing ? { _id: aliasId, 'tokens.issuedAt': replacing.issuedAt } : { _id: aliasId },
        {
          $set: {
            tokens: sealTokens(box, aliasId, tokens),
            // The client refused any other org than the alias's before saving: this binds a
            // first Client Credentials grant made by a worker.
            orgId: tokens.orgId,
            authStatus: 'authorized',
            authError: null,
          },
        },
        // A token refresh is not a configuration change: configChangedAt stays as it is.
      );
      return result.matchedCount === 1;
    },
    async markReauthorizationRequired(reason) {
      await models.ConnectionAlias.updateOne(
        { _id: aliasId },
        { $set: { authStatus: 'reauthorization_required', authError: reason.slice(0, 500) } },
      );
    },
  };
}
