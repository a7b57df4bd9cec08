import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.js';
import {
  SALESFORCE_HOST_SUFFIXES,
  checkedInstanceUrl,
  endpointProblem,
  sameOrgHost,
  type EndpointPolicy,
} from '../../shared/salesforce/instanceUrl.js';

const key = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const salesforce: EndpointPolicy = { allowedHostSuffixes: SALESFORCE_HOST_SUFFIXES, insecureHttpHosts: [] };

describe('where Salesforce calls may go', () => {
  it('when a URL is https on a Salesforce domain and an origin only, then it is accepted', () => {
    for (const url of [
      'https://acme.my.salesforce.com',
      'https://acme.my.salesforce.com/',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://login.salesforce.com',
      'https://test.salesforce.com',
      'https://acme.cloudforce.com',
      'https://acme.my.salesforce.mil',
    ]) {
      expect(endpointProblem(url, salesforce), url).toBeNull();
    }
    expect(checkedInstanceUrl('https://ACME.my.salesforce.com/', salesforce)).toBe(
      'https://acme.my.salesforce.com',
    );
  });

  it('when a URL leaves Salesforce, uses http, a port, a path, a query or credentials, then it is refused with the reason', () => {
    const refused: [string, RegExp][] = [
      ['https://evil.example.com', /Salesforce domain/],
      ['https://salesforce.com.evil.example', /Salesforce domain/],
      ['https://evilsalesforce.com', /Salesforce domain/],
      ['https://salesforce.com', /Salesforce domain/],
      ['http://acme.my.salesforce.com', /https/],
      ['https://acme.my.salesforce.com:8443', /port/],
      ['https://acme.my.salesforce.com/services/oauth2', /origin only/],
      ['https://acme.my.salesforce.com?x=1', /query/],
      ['https://user:pw@acme.my.salesforce.com', /credentials/],
      ['ftp://acme.my.salesforce.com', /https/],
      ['not a url', /absolute URL/],
    ];
    for (const [url, why] of refused) expect(endpointProblem(url, salesforce), url).toMatch(why);
    expect(() => checkedInstanceUrl('https://evil.example.com', salesforce)).toThrow(
      expect.objectContaining({ errorCode: 'INSECURE_INSTANCE_URL' }),
    );
  });

  it('when plain http hosts are listed, then only those hosts (and ports, when named) are allowed', () => {
    const policy: EndpointPolicy = {
      allowedHostSuffixes: SALESFORCE_HOST_SUFFIXES,
      insecureHttpHosts: ['127.0.0.1', 'simulator:8090'],
    };
    expect(endpointProblem('http://127.0.0.1:4321', policy)).toBeNull();
    expect(endpointProblem('http://127.0.0.1:4321/org/x', policy)).toMatch(/origin only/);
    expect(endpointProblem('http://simulator:8090', policy)).toBeNull();
    expect(endpointProblem('http://simulator:8091', policy)).toMatch(/https/);
    expect(endpointProblem('http://localhost:4321', policy)).toMatch(/https/);
    expect(endpointProblem('http://acme.my.salesforce.com', policy)).toMatch(/https/);
  });

  it('when a token answer names another host than the one asked, then only a generic login host may do so', () => {
    expect(sameOrgHost('https://acme.my.salesforce.com', 'https://acme.my.salesforce.com')).toBe(true);
    expect(sameOrgHost('https://login.salesforce.com', 'https://acme.my.salesforce.com')).toBe(true);
    expect(sameOrgHost('https://test.salesforce.com', 'https://acme--uat.sandbox.my.salesforce.com')).toBe(
      true,
    );
    expect(sameOrgHost('https://acme.my.salesforce.com', 'https://other.my.salesforce.com')).toBe(false);
  });

  it('when the settings are given, then config keeps them normalized, and refuses plain http in production', () => {
    const config = loadConfig({
      ENCRYPTION_KEYS: key,
      SF_ALLOWED_HOST_SUFFIXES: '*.my.salesforce.com, .force.com',
      SF_INSECURE_HTTP_HOSTS: '127.0.0.1,Simulator:8090',
    });
    expect(config.salesforce.endpoints).toEqual({
      allowedHostSuffixes: ['my.salesforce.com', 'force.com'],
      insecureHttpHosts: ['127.0.0.1', 'simulator:8090'],
    });
    expect(loadConfig({ ENCRYPTION_KEYS: key }).salesforce.endpoints.insecureHttpHosts).toEqual([]);
    let error: unknown;
    try {
      loadConfig({ ENCRYPTION_KEYS: key, NODE_ENV: 'production', SF_INSECURE_HTTP_HOSTS: '127.0.0.1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/^SF_INSECURE_HTTP_HOSTS: must be empty/);
    expect(() => loadConfig({ ENCRYPTION_KEYS: key, SF_INSECURE_HTTP_HOSTS: 'http://x/' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ENCRYPTION_KEYS: key, SF_ALLOWED_HOST_SUFFIXES: 'not a domain' })).toThrow(
      ConfigError,
    );
  });
});
