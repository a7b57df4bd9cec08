/**
 * Authorizes an alias. Authorization Code: the api answers Salesforce's authorize URL and sets the
 * cookie binding the flow to this browser; the page then leaves for Salesforce, whose redirect ends
 * at /oauth/callback, which sends the browser back to the setup page.
 */
import { request } from '../api.js';
import { aliasSchema, type Alias } from '../schemas.js';
import { z } from 'zod';

export async function authorize(alias: Alias): Promise<void> {
  if (alias.grantType === 'client_credentials') {
    await request('POST', `/api/v1/aliases/${alias.id}/oauth/token`, aliasSchema, {});
    return;
  }
  const started = await request(
    'POST',
    `/api/v1/aliases/${alias.id}/oauth/start`,
    z.object({ authorizeUrl: z.string().url() }),
    {},
  );
  location.assign(started.authorizeUrl);
  // The page is unloading; never resolve, so no caller redraws over the navigation.
  await new Promise(() => undefined);
}
