/** What the route handlers and services are given; built once in createApp. */
import type { RedisConnection } from '../../shared/redis.js';
import type { Config } from '../../shared/config.js';
import type { SecretBox } from '../../shared/crypto/secretBox.js';
import type { Models } from '../../shared/db/models.js';
import type { Logger } from '../../shared/logger.js';
import type * as runs from '../../shared/pipeline/runs.js';
import type { PipelineDeps } from '../../shared/pipeline/runs.js';
import type { OrgTokens } from '../../shared/salesforce/salesforceClient.js';

/** The pipeline entry points (shared/pipeline/runs.ts), as one value. */
export type Pipeline = Pick<
  typeof runs,
  'enqueueValidate' | 'startRun' | 'scheduleProfile' | 'unscheduleProfile' | 'purgeProfileJobs'
>;

/** The OAuth grants of shared/salesforce/oauth.ts, as one value. */
export interface OAuthGrants {
  authorizeUrl(input: {
    instanceUrl: string;
    clientId: string;
    redirectUri: string;
    state: string;
    codeChallenge: string;
  }): string;
  exchangeAuthorizationCode(input: {
    instanceUrl: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
    code: string;
    codeVerifier: string;
    timeoutMs: number;
  }): Promise<OrgTokens>;
  clientCredentialsGrant(input: {
    instanceUrl: string;
    clientId: string;
    clientSecret: string;
    timeoutMs: number;
  }): Promise<OrgTokens>;
  revokeToken(input: { instanceUrl: string; token: string; timeoutMs: number }): Promise<void>;
}

export interface ApiServices {
  config: Config;
  models: Models;
  box: SecretBox;
  redis: RedisConnection;
  pipeline: Pipeline;
  pipelineDeps: PipelineDeps;
  oauth: OAuthGrants;
  log: Logger;
}
