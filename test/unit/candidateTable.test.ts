/**
 * The compact table computeCandidates holds a profile's candidates in (`candidateTable.ts`): it
 * must give back every candidate exactly as set, however many, and refuse what it cannot hold
 * faithfully rather than change it.
 */
import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import type { LedgerEntry } from '../../shared/db/candidateLedger.js';
import { CandidateTable, UnseenCandidates } from '../../shared/db/candidateTable.js';

const profileId = new ObjectId().toHexString();
const rules = [new ObjectId(), new ObjectId(), new ObjectId()];

function entry(i: number, over: Partial<LedgerEntry> = {}): LedgerEntry {
  const userId = `005${String(i).padStart(15, '0')}`;
  const identifier = ['UL:Salesforce', 'PSL:Sales_Cloud', 'PKG:ns|with|bars'][i % 3] as string;
  const rule = rules[i % 3] as ObjectId;
  return {
    _id: `${profileId}|${userId}|${identifier}`,
    userId,
    identifier,
    username: `user${i}@example.com`,
    status: (['pending', 'ready', 'frozen', 'cancelled'] as const)[i % 4] as LedgerEntry['status'],
    ruleId: rule,
    ruleRevision: 1 + (i % 7),
    action: i % 2 === 0 ? 'remove_assignment' : 'deactivate_user',
    approval: i % 4 === 1 ? { ruleId: rule, ruleRevision: 1 + (i % 7), action: 'deactivate_user' } : null,
    ...over,
  };
}

const plain = (e: LedgerEntry | undefined) =>
  e && {
    ...e,
    ruleId: e.ruleId.toHexString(),
    approval: e.approval && { ...e.approval, ruleId: e.approval.ruleId.toHexString() },
  };

describe('the candidate table', () => {
  it('gives back every candidate as set, past its first growth, in the order added', () => {
    const table = new CandidateTable();
    const all = Array.from({ length: 5_000 }, (_, i) => entry(i));
    for (const e of all) table.set(e._id, e);
    expect(table.size).toBe(5_000);
    for (const e of all) expect(plain(table.get(e._id))).toEqual(plain(e));
    expect([...table.values()].map((e) => e._id)).toEqual(all.map((e) => e._id));
    expect(table.get(`${profileId}|nobody|UL:Salesforce`)).toBeUndefined();
  });

  it('changes a candidate in place when it is set again, and forgets a deleted one until it is set again, in its old row', () => {
    const table = new CandidateTable();
    for (let i = 0; i < 10; i += 1) table.set(entry(i)._id, entry(i));
    const changed = entry(3, { status: 'reclaimed', username: 'renamed@example.com', approval: null });
    table.set(changed._id, changed);
    expect(plain(table.get(changed._id))).toEqual(plain(changed));
    expect(table.rowOf(changed._id)).toBe(3);
    expect(table.delete(entry(5)._id)).toBe(true);
    expect(table.delete(entry(5)._id)).toBe(false);
    expect(table.get(entry(5)._id)).toBeUndefined();
    expect(table.size).toBe(9);
    expect([...table.values()].map((e) => e._id)).not.toContain(entry(5)._id);
    expect(table.rowOf(entry(5)._id)).toBeUndefined();
    expect(table.idAt(5)).toBeNull();
    table.set(entry(5)._id, entry(5));
    expect(table.rowOf(entry(5)._id)).toBe(5);
    expect(table.rowCount).toBe(10);
    expect(table.size).toBe(10);
    expect(plain(table.get(entry(5)._id))).toEqual(plain(entry(5)));
    // The renamed candidate keeps its new name, whatever was stored after it.
    expect(table.get(changed._id)?.username).toBe('renamed@example.com');
  });

  it('holds usernames and license names outside ASCII, and tells apart ids that differ only in case', () => {
    const table = new CandidateTable();
    const accented = entry(0, { username: 'zoë.müller@例え.jp' });
    const shouted = {
      ...entry(3, { identifier: 'PKG:Ünïcode' }),
      _id: `${profileId}|${entry(3).userId}|PKG:Ünïcode`,
    };
    for (const e of [accented, shouted]) table.set(e._id, e);
    expect(table.get(accented._id)?.username).toBe('zoë.müller@例え.jp');
    expect(plain(table.get(shouted._id))).toEqual(plain(shouted));
    // Salesforce ids are case-sensitive in their 15-character form.
    const caseId = `${profileId}|005abcDEF000000001|UL:Salesforce`;
    const otherCase = `${profileId}|005ABCdef000000001|UL:Salesforce`;
    table.set(caseId, {
      ...entry(0),
      _id: caseId,
      userId: '005abcDEF000000001',
      identifier: 'UL:Salesforce',
    });
    expect(table.get(caseId)?.userId).toBe('005abcDEF000000001');
    expect(table.get(otherCase)).toBeUndefined();
  });

  it('refuses a candidate whose id does not name its user and license, or an unknown status', () => {
    const table = new CandidateTable();
    expect(() => table.set(entry(1)._id, entry(1, { userId: '005000000000000999' }))).toThrow(
      expect.objectContaining({ code: 'CANDIDATE_ID_MISMATCH' }),
    );
    expect(() => table.set(entry(1)._id, entry(1, { identifier: 'UL:Other' }))).toThrow(
      expect.objectContaining({ code: 'CANDIDATE_ID_MISMATCH' }),
    );
    expect(() => table.set(entry(1)._id, entry(1, { status: 'lost' as LedgerEntry['status'] }))).toThrow(
      expect.objectContaining({ code: 'CANDIDATE_VALUE_UNKNOWN' }),
    );
    expect(table.size).toBe(0);
  });
});

describe('the candidates a compute has not matched again', () => {
  it('are those held when it started, less those matched; later ones are never unseen', () => {
    const table = new CandidateTable();
    for (let i = 0; i < 6; i += 1) table.set(entry(i)._id, entry(i));
    table.delete(entry(4)._id);
    const unseen = new UnseenCandidates(table);
    expect(unseen.size).toBe(5);
    table.set(entry(9)._id, entry(9));
    expect(unseen.has(entry(9)._id)).toBe(false);
    unseen.delete(entry(1)._id);
    unseen.delete(entry(1)._id);
    unseen.delete(entry(9)._id);
    expect(unseen.size).toBe(4);
    expect(unseen.has(entry(1)._id)).toBe(false);
    expect(unseen.has(entry(2)._id)).toBe(true);
    expect([...unseen.ids()]).toEqual([0, 2, 3, 5].map((i) => entry(i)._id));
  });
});
