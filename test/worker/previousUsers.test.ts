/**
 * The previous snapshot's users as a re-download holds them (`previousUsers.ts`): every license
 * comes back exactly as the summary had it, each user once, and the users never taken come back
 * whole at the end, also past the sizes where its tables grow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection } from 'mongodb';
import type { SnapshotCollections } from '../../shared/db/subscriptionSnapshots.js';
import { createSummaryWriter, packUser, type UserSummary } from '../../shared/db/subscriptionSummary.js';
import { salesforceIdSuffix } from '../../shared/domain/salesforceIds.js';
import { PreviousUsers } from '../../worker/processors/downloadSubscriptions/previousUsers.js';
import { openTestDb, type TestDb } from '../helpers/services.js';

let db: TestDb;
let snapshot: SnapshotCollections;
const USERS = 3_000;

/** An 18-character id as Salesforce sends it, or for every tenth user a string that is not one. */
function idOf(prefix: string, n: number): string {
  const id15 = `${prefix}${String(n).padStart(12, '0')}`;
  return n % 10 === 0 ? `${id15}xyz` : id15 + salesforceIdSuffix(id15);
}

/** Users with 0–3 licenses, gone or not, with or without an assignment, at a few dates. */
function userOf(i: number): UserSummary {
  const id = idOf('005', i);
  return {
    userId: id,
    username: `user${i}@example.com`,
    name: i % 7 === 0 ? null : `User ${i}`,
    email: null,
    federationId: i % 5 === 0 ? `fed-${i}` : null,
    isActive: i % 3 !== 0,
    userType: 'Standard',
    profileName: 'Standard User',
    apiOnly: false,
    lastLoginAt: i % 4 === 0 ? null : new Date(1_700_000_000_000 + i * 1_000),
    userCreatedAt: new Date(1_600_000_000_000),
    lastSeenAt: new Date(1_750_000_000_000),
    licenses: Array.from({ length: i % 4 }, (_, k) => ({
      identifier: ['UL:SFDC', 'PSL:SalesConsoleUser', 'PKG:dsfs'][k % 3] as string,
      assignmentId: k === 0 ? null : idOf('0PA', i * 10 + k),
      firstSeenAt: new Date(1_700_000_000_000 + (i % 11) * 86_400_000),
      goneAt: k === 2 && i % 2 === 0 ? new Date(1_740_000_000_000) : null,
    })),
  };
}

const users = Array.from({ length: USERS }, (_, i) => userOf(i));

beforeAll(async () => {
  db = await openTestDb('prevusers');
  const raw = db.connection.db!;
  snapshot = {
    profileId: 'p',
    syncId: 's',
    users: raw.collection('u') as unknown as SnapshotCollections['users'],
    summaries: raw.collection('s') as unknown as Collection<{ _id: number; users: string }>,
    pages: raw.collection('pg') as unknown as SnapshotCollections['pages'],
  };
  const writer = createSummaryWriter(snapshot, 700);
  await writer.add(users.map(packUser));
  await writer.finish();
});
afterAll(async () => db?.drop());

describe('previous users', () => {
  it('when users are taken, then each gets exactly the licenses it had, once, and users new to the org get none', async () => {
    const previous = await PreviousUsers.load(snapshot);
    expect(previous.size).toBe(USERS);
    for (const u of users.filter((_, i) => i % 2 === 1)) expect(previous.take(u.userId)).toEqual(u.licenses);
    expect(previous.take(users[1]!.userId)).toBeUndefined();
    expect(previous.take('005xxNOTTHERE00000')).toBeUndefined();
    expect(previous.take(idOf('005', USERS + 1))).toBeUndefined();
    expect(previous.size).toBe(USERS / 2);
    const left: UserSummary[] = [];
    for await (const chunk of previous.untaken()) left.push(...chunk);
    expect(left).toEqual(users.filter((_, i) => i % 2 === 0));
    expect(previous.size).toBe(0);
  });

  it('when there is no previous snapshot, then nobody was there before', async () => {
    const none = await PreviousUsers.load(null);
    expect(none.take(users[0]!.userId)).toBeUndefined();
    const left: UserSummary[] = [];
    for await (const chunk of none.untaken()) left.push(...chunk);
    expect(left).toEqual([]);
  });
});
