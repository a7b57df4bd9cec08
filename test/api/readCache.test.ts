/**
 * The read cache (api/http/readCache.ts) as a user sees it: a write, through any api process, shows
 * in the next read; what the workers write shows within the cache's time limit, one read later,
 * and only for the topics a job wrote; with the limit at 0 nothing is kept.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { noteReadChange } from '../../shared/pipeline/readGenerations.js';
import { ROLE_TOKENS, startApi, type ApiHarness } from './apiHarness.js';

let api: ApiHarness;
let other: { url: string; server: Server };

beforeAll(async () => {
  api = await startApi();
  // A second api process over the same database and Redis, as behind a load balancer.
  const app = createApp({ redis: api.redis.redis, mongo: api.db.connection, config: api.config });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  other = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
});

afterAll(async () => {
  other?.server.closeAllConnections();
  await new Promise<void>((resolve) => other?.server.close(() => resolve()) ?? resolve());
  await api?.close();
});

async function newProfile(name: string): Promise<string> {
  const profile = await api.models.IntegrationProfile.create({
    displayName: name,
    displayNameKey: name.toLowerCase(),
    status: 'draft',
    createdBy: 't',
    updatedBy: 't',
  });
  return String(profile._id);
}

const nameOf = async (id: string) =>
  ((await api.call('GET', `/api/v1/profiles/${id}`)).json as { displayName: string }).displayName;

/** A change written straight to the database, as a running job writes its progress. */
const renameBehindTheApi = (id: string, name: string) =>
  api.models.IntegrationProfile.updateOne({ _id: id }, { $set: { displayName: name } });

describe('the read cache', () => {
  it('when another api process renames a profile, then the next read here shows the new name', async () => {
    const id = await newProfile('Cache one');
    expect(await nameOf(id)).toBe('Cache one');
    const res = await fetch(`${other.url}/api/v1/profiles/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ROLE_TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Cache one renamed' }),
    });
    expect(res.status).toBe(200);
    expect(await nameOf(id)).toBe('Cache one renamed');
    const list = (await api.call('GET', '/api/v1/profiles?limit=100')).json as {
      items: { displayName: string }[];
    };
    expect(list.items.map((p) => p.displayName)).toContain('Cache one renamed');
  });

  it('when a job writes behind the api, then the next read still gets the kept answer and the one after shows it, within the time limit', async () => {
    const id = await newProfile('Cache two');
    expect(await nameOf(id)).toBe('Cache two');
    await renameBehindTheApi(id, 'Cache two, mid-job');
    // Kept: the same answer again, without the database.
    expect(await nameOf(id)).toBe('Cache two');
    // Nothing moved a counter: the kept answer goes out until it nears five times the time limit,
    // then once more while a fresh one is fetched behind it.
    await new Promise((r) => setTimeout(r, api.config.api.readCacheMs + 50));
    expect(await nameOf(id)).toBe('Cache two');
    await expect
      .poll(() => nameOf(id), { timeout: 5 * api.config.api.readCacheMs + 2_000, interval: 50 })
      .toBe('Cache two, mid-job');

    await renameBehindTheApi(id, 'Cache two, run done');
    // What a worker does when a run ends: a soft change of everything about the profile.
    await noteReadChange(api.redis.redis, api.redis.prefix, { profileId: id, hard: false });
    await expect.poll(() => nameOf(id), { timeout: 2_000, interval: 20 }).toBe('Cache two, run done');
  });

  it('when a job ends, then only the topics it wrote are fetched again', async () => {
    const id = await newProfile('Cache four');
    expect(await nameOf(id)).toBe('Cache four');
    await renameBehindTheApi(id, 'Cache four, renamed');
    // A consumption download ends: only those topics move, the profile is still answered from memory.
    await noteReadChange(api.redis.redis, api.redis.prefix, {
      profileId: id,
      topics: ['runs', 'consumption'],
      hard: false,
    });
    for (let i = 0; i < 5; i++) expect(await nameOf(id)).toBe('Cache four');
    // A subscriptions download ends: it points the profile at the new snapshot.
    await noteReadChange(api.redis.redis, api.redis.prefix, {
      profileId: id,
      topics: ['profile', 'downloads'],
      hard: false,
    });
    await expect.poll(() => nameOf(id), { timeout: 2_000, interval: 20 }).toBe('Cache four, renamed');
  });
});

describe('with the read cache off', () => {
  let off: ApiHarness;
  beforeAll(async () => {
    off = await startApi({}, { API_READ_CACHE_MS: '0' });
  });
  afterAll(async () => off?.close());

  it('when a job writes behind the api, then the next read shows it', async () => {
    const profile = await off.models.IntegrationProfile.create({
      displayName: 'Uncached',
      displayNameKey: 'uncached',
      status: 'draft',
      createdBy: 't',
      updatedBy: 't',
    });
    const read = async () =>
      ((await off.call('GET', `/api/v1/profiles/${String(profile._id)}`)).json as { displayName: string })
        .displayName;
    expect(await read()).toBe('Uncached');
    await off.models.IntegrationProfile.updateOne({ _id: profile._id }, { $set: { displayName: 'Changed' } });
    expect(await read()).toBe('Changed');
  });
});
