/**
 * Where seatwise may send a Salesforce request. Every call carries a token or the client secret,
 * so an instance or login URL must be `https://` on one of Salesforce's own domains (an admin
 * setting, `SF_ALLOWED_HOST_SUFFIXES`), an origin with nothing after the host. Plain http is
 * allowed only to hosts named in `SF_INSECURE_HTTP_HOSTS` (tests, local simulators; refused in
 * production by the config).
 */
import { SalesforceError } from './salesforceError.js';

/**
 * Salesforce's own domains, each matched as a parent domain (a host must be a subdomain of one):
 * `*.my.salesforce.com`, `*.sandbox.my.salesforce.com`, `login.salesforce.com` and
 * `test.salesforce.com` are all under `salesforce.com`; `force.com` and `cloudforce.com` carry
 * older org and Experience Cloud hosts; `salesforce.mil` the My Domains of Government Cloud Plus
 * (Defense). Government Cloud and Government Cloud Plus orgs otherwise use `*.my.salesforce.com`.
 * `salesforce-setup.com` serves Setup pages, never the API or OAuth: it is left out.
 */
export const SALESFORCE_HOST_SUFFIXES = ['salesforce.com', 'force.com', 'cloudforce.com', 'salesforce.mil'];

export interface EndpointPolicy {
  /** Lower-case domains without a leading dot; a host must end in `.<suffix>`. */
  allowedHostSuffixes: readonly string[];
  /** Lower-case `host` (any port) or `host:port` that may be called over plain http. */
  insecureHttpHosts: readonly string[];
}

const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** `*.my.salesforce.com`, `.salesforce.com` or `salesforce.com` → `salesforce.com`; null if not a domain. */
export function normalizedHostSuffix(raw: string): string | null {
  const suffix = raw
    .trim()
    .toLowerCase()
    .replace(/^\*?\./, '');
  return DOMAIN.test(suffix) ? suffix : null;
}

const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/;

function parseHostEntry(entry: string): { hostname: string; port: string | null } | null {
  const match = HOST_ENTRY.exec(entry);
  if (!match?.[1] || !URL.canParse(`http://${match[1]}/`)) return null;
  const port = match[2] ?? null;
  if (port !== null && (Number(port) < 1 || Number(port) > 65535)) return null;
  return { hostname: new URL(`http://${match[1]}/`).hostname, port };
}

/** Why an `SF_INSECURE_HTTP_HOSTS` entry is unusable, or null. */
export function insecureHostEntryProblem(entry: string): string | null {
  return parseHostEntry(entry) ? null : 'is not a host or host:port';
}

export type EndpointRole = 'instance URL' | 'login URL' | 'identity URL';

/** Null when `value` may be called, else why not (in words an admin can act on). */
export function endpointProblem(
  value: string,
  policy: EndpointPolicy,
  role: EndpointRole = 'instance URL',
): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.search || url.hash) return 'must not have a query or fragment';
  const insecureListed = isInsecureListed(url, policy);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && insecureListed)) {
    return url.protocol === 'http:'
      ? `must use https (plain http only to hosts in SF_INSECURE_HTTP_HOSTS)`
      : 'must use https';
  }
  if (!insecureListed && !isSalesforceHost(url.hostname, policy)) {
    return `must be on a Salesforce domain (${policy.allowedHostSuffixes.map((s) => `*.${s}`).join(', ')})`;
  }
  if (url.port !== '' && !insecureListed) return 'must not name a port';
  // Real instance URLs are origins, and API paths are resolved against them; so is every simulator
  // org's. A path would let one host's URLs point at anything under it.
  if (role !== 'identity URL' && url.pathname !== '/') {
    return 'must be an origin only, like https://yourdomain.my.salesforce.com (no path)';
  }
  return null;
}

/** The base URL calls go to, without a trailing slash; throws INSECURE_INSTANCE_URL when refused. */
export function checkedInstanceUrl(
  instanceUrl: string,
  policy: EndpointPolicy,
  role: EndpointRole = 'instance URL',
): string {
  const problem = endpointProblem(instanceUrl, policy, role);
  if (problem) throw refused(instanceUrl, role, problem);
  const url = new URL(instanceUrl);
  return role === 'identity URL' ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : url.origin;
}

/**
 * Whether a token response's `instance_url` belongs with the URL the grant was asked at. Asked
 * at an org's own host (My Domain), Salesforce answers with that host; asked at a generic login
 * host (`login.…`, `test.…`), with the org's My Domain, which can be any allowed host.
 */
export function sameOrgHost(askedAt: string, instanceUrl: string): boolean {
  const asked = new URL(askedAt).hostname.toLowerCase();
  const answered = new URL(instanceUrl).hostname.toLowerCase();
  if (asked === answered) return true;
  return /^(login|test)\./.test(asked);
}

function isSalesforceHost(hostname: string, policy: EndpointPolicy): boolean {
  const host = hostname.toLowerCase();
  return policy.allowedHostSuffixes.some((suffix) => host.endsWith(`.${suffix}`));
}

function isInsecureListed(url: URL, policy: EndpointPolicy): boolean {
  const hostname = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return policy.insecureHttpHosts.some((entry) => {
    const parsed = parseHostEntry(entry);
    return parsed !== null && parsed.hostname === hostname && (parsed.port === null || parsed.port === port);
  });
}

function refused(value: string, role: EndpointRole, why: string): SalesforceError {
  return new SalesforceError(`Salesforce ${role} ${safeOrigin(value)} ${why}`, {
    kind: 'permanent',
    errorCode: 'INSECURE_INSTANCE_URL',
    status: null,
    orgId: null,
  });
}

function safeOrigin(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return JSON.stringify(value.slice(0, 80));
  }
}
