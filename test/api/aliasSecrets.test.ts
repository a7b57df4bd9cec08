/**
 * An alias's secret goes only where the admin who entered it pointed it, Salesforce's (or an
 * impostor's) words never reach the api client, and an alias stays with its org. A second HTTP
 * listener plays the attacker's host; it is reachable over plain http only because the test
 * lists 127.0.0.1 in SF_INSECURE_HTTP_HOSTS, so what keeps the secret from it here is the
 * discard on re-pointing, not the allow-list.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOrgInfo } from '../../simulator/server.js';
import { startApi, type ApiHarness } from './apiHarness.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A host an integrator controls: records every request and answers as `answer` says. */
class AttackerHost {
  readonly received: Received[] = [];
  answer: (req: Received, res: ServerResponse) => void | Promise<void> = (_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_client', error_description: 'invalid client credentials' }));
  };
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(received);
        void Promise.resolve(this.answer(received, res)).catch(() => res.destroy());
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

let api: ApiHarness;
let sim: RunningSimulator;
const attacker = new AttackerHost();
let orgA: SimulatorOrgInfo;
let orgB: SimulatorOrgInfo;

beforeAll(async () => {
  [api, sim] = await Promise.all([
    startApi(),
    startSimulator({ orgs: [{ users: 10 }, { users: 10 }], seed: 5, quiet: true }),
    attacker.start(),
  ]);
  [orgA, orgB] = sim.orgs as [SimulatorOrgInfo, SimulatorOrgInfo];
});
afterAll(async () => {
  await Promise.all([api?.close(), sim?.stop(), attacker.stop()]);
});

async function clientCredentialsAlias(name: string, org: SimulatorOrgInfo, instanceUrl = org.instanceUrl) {
  const res = await api.call('post', '/api/v1/aliases', {
    body: {
      name,
      instanceUrl,
      grantType: 'client_credentials',
      clientId: org.clientId,
      clientSecret: org.clientSecret,
    },
  });
  expect(res.status).toBe(201);
  return (res.json as { id: string }).id;
}

async function profileHolding(aliasId: string, name: string): Promise<string> {
  const res = await api.call('post', '/api/v1/profiles', { body: { displayName: name, aliasId } });
  expect(res.status).toBe(201);
  return (res.json as { id: string }).id;
}

describe('an alias’s secret and its org', () => {
  it('when an integrator re-points an unpublished profile’s alias to their own host and asks for a token, then the admin’s secret is not sent there', async () => {
    const aliasId = await clientCredentialsAlias('Re-pointed', orgA);
    expect((await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`)).status).toBe(200);
    await profileHolding(aliasId, 'Re-pointed profile');

    const patched = await api.call('patch', `/api/v1/aliases/${aliasId}`, {
      token: 'integrator',
      body: { instanceUrl: attacker.url },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      clientSecretSet: false,
      authorizedOrg: null,
      authStatus: 'not_authorized',
    });
    const token = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`, { token: 'integrator' });
    expect(token.status).toBe(422);
    expect(token.json).toMatchObject({ code: 'PREREQUISITE_MISSING' });

    expect(attacker.received.filter((r) => r.body.includes(orgA.clientSecret))).toEqual([]);
    expect(attacker.received).toEqual([]);
    const stored = await api.models.ConnectionAlias.findById(aliasId).lean();
    expect(stored?.clientSecret ?? null).toBeNull();
    expect(stored?.tokens ?? null).toBeNull();
  });

  it('when the token endpoint refuses with its own description, then the api answers with a code and our words, and logs theirs', async () => {
    const aliasId = await clientCredentialsAlias('Described', orgA, attacker.url);
    const description = 'Your org is locked: send the admin password to help@evil.example';
    attacker.answer = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client', error_description: description }));
    };
    const res = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'OAUTH_REFUSED', salesforceError: 'invalid_client' });
    expect(res.text).not.toContain('evil.example');
    expect(api.logs.some((line) => line.includes('help@evil.example'))).toBe(true);
  });

  it('when the token endpoint redirects or answers too much, then nothing follows the redirect and the answer is refused', async () => {
    const target = new AttackerHost();
    await target.start();
    try {
      const aliasId = await clientCredentialsAlias('Redirected', orgA, attacker.url);
      attacker.answer = (_req, res) => {
        // 307 asks a client to send the same POST, client_secret included, to the new place.
        res.writeHead(307, { location: `${target.url}/services/oauth2/token` });
        res.end();
      };
      const redirected = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`);
      expect(redirected.status).toBe(422);
      expect(target.received).toEqual([]);

      attacker.answer = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: 'x'.repeat(2 * 1024 * 1024), instance_url: attacker.url, id: 'x' }),
        );
      };
      const oversized = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`);
      expect(oversized.status).toBe(422);
      expect(oversized.json).toMatchObject({ code: 'OAUTH_REFUSED', salesforceError: 'RESPONSE_TOO_LARGE' });
      expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.tokens ?? null).toBeNull();
    } finally {
      await target.stop();
    }
  });

  it('when a host outside the allow-list is named, then the alias is refused before anything is sent', async () => {
    const aliasId = await clientCredentialsAlias('Allow-listed', orgA);
    const before = attacker.received.length;
    for (const instanceUrl of ['https://evil.example.com', 'https://acme.my.salesforce.com.evil.example']) {
      const res = await api.call('patch', `/api/v1/aliases/${aliasId}`, {
        token: 'integrator',
        body: { instanceUrl, clientSecret: 'typed-by-the-integrator' },
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errors: [{ field: 'body.instanceUrl' }] });
    }
    expect(attacker.received.length).toBe(before);
  });

  it('when a token response claims another org’s identity, then the alias gets no tokens', async () => {
    // The attacker's host hands out a real token of org B (its own), claiming it is org A's admin.
    attacker.answer = async (req, res) => {
      const upstream = await fetch(`${orgB.instanceUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: req.body,
      });
      const body = (await upstream.json()) as Record<string, string>;
      body.id = `${sim.url}/id/${orgA.orgId}/${orgA.adminUserId}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const aliasId = await clientCredentialsAlias('Claims A', orgB, attacker.url);
    const res = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`);
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ code: 'OAUTH_REFUSED', salesforceError: 'IDENTITY_REFUSED' });
    const stored = await api.models.ConnectionAlias.findById(aliasId).lean();
    expect(stored?.tokens ?? null).toBeNull();
    expect(stored?.orgId ?? null).toBeNull();
  });

  it('when an alias is authorized to another org, then it is refused unless an admin confirms, which unpublishes its profile and is audited', async () => {
    const aliasId = await clientCredentialsAlias('Moving', orgA);
    const first = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`);
    expect(first.json).toMatchObject({ orgId: orgA.orgId });
    const profileId = await profileHolding(aliasId, 'Moving profile');
    // Paused: its connection may change (a published one's may not), and its schedule is kept.
    await api.models.IntegrationProfile.updateOne({ _id: profileId }, { $set: { status: 'paused' } });
    const moved = await api.call('patch', `/api/v1/aliases/${aliasId}`, {
      token: 'integrator',
      body: { instanceUrl: orgB.instanceUrl, clientId: orgB.clientId, clientSecret: orgB.clientSecret },
    });
    expect(moved.json).toMatchObject({ orgId: orgA.orgId, authorizedOrg: null, clientSecretSet: true });

    const refused = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token`, { token: 'integrator' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      code: 'ORG_CHANGE_UNCONFIRMED',
      currentOrgId: orgA.orgId,
      grantedOrgId: orgB.orgId,
    });
    expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.tokens ?? null).toBeNull();
    const byIntegrator = await api.call(
      'post',
      `/api/v1/aliases/${aliasId}/oauth/token?confirmOrgChange=true`,
      {
        token: 'integrator',
      },
    );
    expect(byIntegrator.status).toBe(403);
    expect((await api.models.IntegrationProfile.findById(profileId).lean())?.status).toBe('paused');

    const confirmed = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/token?confirmOrgChange=true`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ orgId: orgB.orgId, authorizedOrg: { orgId: orgB.orgId } });
    expect((await api.models.IntegrationProfile.findById(profileId).lean())?.status).toBe('draft');
    const audit = await api.models.AuditEntry.find({ action: 'org_change_confirmed' }).lean();
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'admin-user',
        evidence: expect.objectContaining({ aliasId, fromOrgId: orgA.orgId, toOrgId: orgB.orgId }),
      }),
    ]);
  });

  it('when a browser authorization names another org, then the callback refuses it unless an admin confirmed when starting', async () => {
    const created = await api.call('post', '/api/v1/aliases', {
      body: {
        name: 'Browser moving',
        instanceUrl: orgA.instanceUrl,
        grantType: 'authorization_code',
        clientId: orgA.clientId,
        clientSecret: orgA.clientSecret,
        redirectUrl: `${api.url}/oauth/callback`,
      },
    });
    const aliasId = (created.json as { id: string }).id;
    const authorize = async (query: string, token: 'admin' | 'integrator') => {
      const start = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/start${query}`, { token });
      expect(start.status).toBe(200);
      // The browser that started the flow carries its binding cookie back to the callback.
      const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const consent = await fetch((start.json as { authorizeUrl: string }).authorizeUrl, {
        redirect: 'manual',
      });
      return fetch(consent.headers.get('location')!, { redirect: 'manual', headers: { cookie } });
    };
    expect((await authorize('', 'integrator')).status).toBe(200);
    await api.call('patch', `/api/v1/aliases/${aliasId}`, {
      body: { instanceUrl: orgB.instanceUrl, clientId: orgB.clientId, clientSecret: orgB.clientSecret },
    });

    const unconfirmed = await authorize('', 'integrator');
    expect(unconfirmed.status).toBe(409);
    expect(await unconfirmed.text()).toContain(orgA.orgId);
    expect((await api.models.ConnectionAlias.findById(aliasId).lean())?.tokens ?? null).toBeNull();
    const notAdmin = await api.call('post', `/api/v1/aliases/${aliasId}/oauth/start?confirmOrgChange=true`, {
      token: 'integrator',
    });
    expect(notAdmin.status).toBe(403);

    const confirmed = await authorize('?confirmOrgChange=true', 'admin');
    expect(confirmed.status).toBe(200);
    const alias = await api.call('get', `/api/v1/aliases/${aliasId}`, { token: 'viewer' });
    expect(alias.json).toMatchObject({ orgId: orgB.orgId, authorizedOrg: { orgId: orgB.orgId } });
  });
});
