/**
 * A profile's candidates as they stand, in the ledger's compact form: the candidate ledger as the
 * last compute left it, with the candidates written since (the journal lists them) read again by
 * `_id`. Only without a ledger, or when more were written since than a few lookups cost, are the
 * candidates themselves read, in one scan. computeCandidates reconciles with it; the api's profile
 * summary counts from it.
 */
import type { Collection, ObjectId } from 'mongodb';
import { readJournal } from './candidateJournal.js';
import { CandidateTable } from './candidateTable.js';
import { readLedger, readListed, type LedgerEntry } from './candidateLedger.js';
import { REREAD_BY_ID_MAX, SCAN_BATCH } from './engineQuirks.js';
import type { Models } from './models.js';
import type { ReclaimAction } from './models/reclamationRule.model.js';
import type { CandidateStatus } from './models/removalCandidate.model.js';
import { candidatesOf } from './profileCollections.js';

export interface KnownCandidates {
  known: CandidateTable;
  /** Journal entries taken into `known`: consumed once the new ledger is written. */
  journalEntries: ObjectId[];
  /** How `known` was read: the ledger (plus `reread` lookups), or a scan of every candidate. */
  source: 'ledger' | 'scan';
  reread: number;
  /** The listing sequence the next new candidate takes, or null when some candidate has none. */
  listed: number | null;
}

const PROJECTION = {
  status: 1,
  identifier: 1,
  userId: 1,
  username: 1,
  ruleId: 1,
  ruleRevision: 1,
  action: 1,
  'approval.ruleId': 1,
  'approval.ruleRevision': 1,
  'approval.action': 1,
} as const;

interface Stored {
  _id: string;
  status: CandidateStatus;
  identifier: string;
  userId: string;
  username: string;
  ruleId: ObjectId;
  action: ReclaimAction;
  ruleRevision?: number | null;
  approval: { ruleId: ObjectId; ruleRevision: number; action: ReclaimAction } | null;
}

function entryOf(c: Stored): LedgerEntry {
  return {
    _id: c._id,
    userId: c.userId,
    identifier: c.identifier,
    username: c.username,
    status: c.status,
    ruleId: c.ruleId,
    ruleRevision: c.ruleRevision ?? 1,
    action: c.action,
    approval: c.approval
      ? { ruleId: c.approval.ruleId, ruleRevision: c.approval.ruleRevision, action: c.approval.action }
      : null,
  };
}

export async function loadKnownCandidates(models: Models, profileId: ObjectId): Promise<KnownCandidates> {
  // The journal first: a writer lists its write after making it, so every write listed here is
  // visible to the reads below, and one listed later stays in the journal for the next compute.
  const journal = await readJournal(models, profileId);
  // Too many written since: the candidates are read instead, so the ledger is not decoded at all
  // (both at once held two copies of every candidate).
  const fewWritten = journal.ids.size <= REREAD_BY_ID_MAX;
  const ledger = fewWritten ? await readLedger(models, profileId) : null;
  const stored = candidatesOf(models, profileId).collection as unknown as Collection<Stored>;
  if (ledger) {
    const known = ledger.entries;
    for (const id of journal.ids) {
      // `_id` equality is pushed down to the database; `$in` would decode every candidate.
      const c = await stored.findOne({ _id: id }, { projection: PROJECTION });
      if (c) known.set(id, entryOf(c));
      else known.delete(id);
    }
    const listed = ledger.listed ?? (known.size === 0 ? 0 : null);
    return { known, journalEntries: journal.entries, source: 'ledger', reread: journal.ids.size, listed };
  }
  const known = new CandidateTable();
  for await (const c of stored.find({}, { projection: PROJECTION }).batchSize(SCAN_BATCH))
    known.set(c._id, entryOf(c));
  // A profile with no candidate yet starts its listing order at 0.
  const listed = (fewWritten ? null : await readListed(models, profileId)) ?? (known.size === 0 ? 0 : null);
  return { known, journalEntries: journal.entries, source: 'scan', reread: 0, listed };
}

export interface CandidateCounts {
  total: number;
  byIdentifier: Record<string, number>;
  byStatus: Partial<Record<CandidateStatus, number>>;
}

/** Candidates per license identifier and per status, from their compact state. */
export async function countCandidates(
  models: Models,
  profileId: ObjectId,
): Promise<CandidateCounts & { source: KnownCandidates['source'] }> {
  const { known, source } = await loadKnownCandidates(models, profileId);
  const counts: CandidateCounts = { total: 0, byIdentifier: {}, byStatus: {} };
  for (const c of known.values()) {
    counts.total += 1;
    counts.byIdentifier[c.identifier] = (counts.byIdentifier[c.identifier] ?? 0) + 1;
    counts.byStatus[c.status] = (counts.byStatus[c.status] ?? 0) + 1;
  }
  return { ...counts, source };
}
