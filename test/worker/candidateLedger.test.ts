/**
 * The candidate ledger (`candidateLedger.ts`): what the next compute starts from instead of reading
 * every candidate. It must give back exactly what was written, across several documents, and
 * refuse a ledger with a document missing rather than let a compute forget candidates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { dropLedger, readLedger, writeLedger, type LedgerEntry } from '../../shared/db/candidateLedger.js';
import { LEDGER_ENTRIES_PER_DOC } from '../../shared/db/engineQuirks.js';
import { bindModels, rawDb, type Models } from '../../shared/db/models.js';
import { openTestDb, type TestDb } from '../helpers/services.js';

let db: TestDb;
let models: Models;
const profileId = new ObjectId().toHexString();
const rules = [new ObjectId(), new ObjectId()];
/** Two documents and part of a third. */
const COUNT = LEDGER_ENTRIES_PER_DOC * 2 + 321;

function entry(i: number): LedgerEntry {
  const userId = `005${String(i).padStart(15, '0')}`;
  const identifier = i % 3 === 0 ? 'PSL:Sales_Cloud' : 'UL:Salesforce';
  const rule = rules[i % 2] as ObjectId;
  return {
    _id: `${profileId}|${userId}|${identifier}`,
    userId,
    identifier,
    username: `user${i}@example.com`,
    status: i % 5 === 0 ? 'ready' : 'pending',
    ruleId: rule,
    ruleRevision: 1 + (i % 2),
    action: i % 2 === 0 ? 'remove_assignment' : 'deactivate_user',
    approval: i % 5 === 0 ? { ruleId: rule, ruleRevision: 1 + (i % 2), action: 'remove_assignment' } : null,
  };
}

const ledgers = () => rawDb(models).collection<{ _id: string; profileId: string }>('candidate_ledgers');

beforeAll(async () => {
  db = await openTestDb('ledger');
  models = bindModels(db.connection);
});
afterAll(async () => db?.drop());

describe('the candidate ledger', () => {
  it('gives back every entry as written, by candidate id, with the next listing place', async () => {
    const written = Array.from({ length: COUNT }, (_, i) => entry(i));
    await writeLedger(models, profileId, written, COUNT + 7);
    const ledger = await readLedger(models, profileId);
    expect(ledger?.listed).toBe(COUNT + 7);
    expect(ledger?.entries.size).toBe(COUNT);
    for (const e of written) {
      const read = ledger?.entries.get(e._id);
      expect(read).toBeDefined();
      expect({
        ...read,
        ruleId: String(read?.ruleId),
        approval: read?.approval && { ...read.approval, ruleId: String(read.approval.ruleId) },
      }).toEqual({
        ...e,
        ruleId: String(e.ruleId),
        approval: e.approval && { ...e.approval, ruleId: String(e.approval.ruleId) },
      });
    }
  });

  it('keeps only the newest generation: a later write replaces the entries wholly', async () => {
    const fewer = Array.from({ length: 10 }, (_, i) => entry(i * 7));
    await writeLedger(models, profileId, fewer, null);
    const ledger = await readLedger(models, profileId);
    expect([...(ledger?.entries.values() ?? [])].map((e) => e._id).sort()).toEqual(
      fewer.map((e) => e._id).sort(),
    );
    expect(ledger?.listed).toBeNull();
  });

  it('refuses a ledger one of whose documents is missing, naming it', async () => {
    await writeLedger(
      models,
      profileId,
      Array.from({ length: COUNT }, (_, i) => entry(i)),
      null,
    );
    const docs = await ledgers().find({ profileId }).toArray();
    const second = docs.find((d) => d._id.endsWith(':1'));
    expect(second).toBeDefined();
    await ledgers().deleteOne({ _id: second?._id as string });
    await expect(readLedger(models, profileId)).rejects.toMatchObject({
      code: 'LEDGER_CORRUPT',
      context: { chunk: 1 },
    });
  });

  it('has nothing once dropped', async () => {
    await dropLedger(models, profileId);
    expect(await readLedger(models, profileId)).toBeNull();
  });
});
