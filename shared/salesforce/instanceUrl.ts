import { SalesforceError } from './salesforceError.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The base URL calls go to, without a trailing slash. Tokens travel in every request, so plain
 * http is accepted only for a loopback host (the simulator, a local proxy) and only when allowed.
 */
export function checkedInstanceUrl(instanceUrl: string, allowInsecureLoopback = false): string {
  let url: URL;
  try {
    url = new URL(instanceUrl);
  } catch (error) {
    throw insecure(instanceUrl, 'is not a URL', error);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(loopbackHttp && allowInsecureLoopback)) {
    throw insecure(
      instanceUrl,
      loopbackHttp
        ? 'uses http (allowed on loopback only when SF_ALLOW_INSECURE_LOOPBACK is on)'
        : 'must use https',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw insecure(instanceUrl, 'must not carry credentials, a query or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function insecure(instanceUrl: string, why: string, cause?: unknown): SalesforceError {
  return new SalesforceError(
    `Salesforce instance URL ${safeOrigin(instanceUrl)} ${why}`,
    { kind: 'permanent', errorCode: 'INSECURE_INSTANCE_URL', status: null, orgId: null },
    { cause },
  );
}

function safeOrigin(instanceUrl: string): string {
  try {
    const url = new URL(instanceUrl);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return JSON.stringify(instanceUrl.slice(0, 80));
  }
}
