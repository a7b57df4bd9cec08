/**
 * Candidates found `reclaiming` were interrupted between the intent and the recorded outcome: the
 * call may or may not have reached Salesforce. Salesforce alone can tell, so it is asked before
 * anything is sent again: a write that landed is recorded as done (never sent twice); one that did
 * not goes back to where it was, and the normal re-check at the write then decides afresh.
 */
import type { AuditInput } from '../../../shared/db/auditLog.js';
import type { CandidateMove } from '../../../shared/db/candidateMoves.js';
import { DAY_MS } from '../../../shared/domain/inactivity.js';
import type { WritePhase } from '../../../shared/domain/writeEligibility.js';
import type { SalesforceOrgClient } from '../../../shared/salesforce/salesforceClient.js';
import { candidateAudit, type AuditScope } from './reclaimAudit.js';
import type { BatchState, CandidateRow } from './batchState.js';
import { idKey, readAssignments, readUsersAndLogins } from './salesforceState.js';

export interface InterruptedVerdicts {
  moves: CandidateMove[];
  audits: AuditInput[];
  confirmed: number;
}

/** Candidates written before phases were recorded were deactivations or removals by their action. */
export function phaseOf(c: CandidateRow): WritePhase {
  if (c.phase) return c.phase;
  if (c.action === 'remove_assignment') return 'remove_assignment';
  return c.action === 'freeze_user' ? 'freeze' : 'deactivate';
}

export async function resolveInterrupted(
  client: SalesforceOrgClient,
  interrupted: readonly CandidateRow[],
  assignmentOf: ReadonlyMap<string, string>,
  state: BatchState,
  scope: AuditScope,
  now: Date,
): Promise<InterruptedVerdicts> {
  const out: InterruptedVerdicts = { moves: [], audits: [], confirmed: 0 };
  if (interrupted.length === 0) return out;
  const userIds = interrupted.map((c) => c.userId);
  const { users, logins } = await readUsersAndLogins(client, userIds);
  const removals = interrupted.filter((c) => phaseOf(c) === 'remove_assignment');
  const assignmentIds = removals.flatMap((c) => assignmentOf.get(c._id) ?? []);
  const stillThere =
    assignmentIds.length > 0 ? (await readAssignments(client, assignmentIds)).byId : new Map();

  for (const c of interrupted) {
    const phase = phaseOf(c);
    const user = users.get(idKey(c.userId));
    const rule = state.rules.get(String(c.ruleId));
    let landed: boolean;
    if (phase === 'deactivate') landed = user !== undefined && !user.isActive;
    else if (phase === 'freeze') landed = logins.get(idKey(c.userId))?.isFrozen === true;
    else {
      const assignment = assignmentOf.get(c._id);
      landed = !assignment || !stillThere.has(idKey(assignment));
    }
    let move: CandidateMove;
    if (landed && phase === 'freeze' && c.action === 'deactivate_user') {
      const freezeDays = rule?.freezeDays ?? 7;
      move = {
        id: c._id,
        from: 'reclaiming',
        events: ['froze'],
        set: {
          frozenAt: now,
          deactivateAfter: new Date(now.getTime() + freezeDays * DAY_MS),
          outcome: 'frozen (confirmed after an interrupted attempt)',
        },
      };
    } else if (landed) {
      move = {
        id: c._id,
        from: 'reclaiming',
        events: ['write_confirmed'],
        set: { outcome: `${phase} confirmed in Salesforce after an interrupted attempt`, reclaimedAt: now },
      };
    } else {
      const event = phase === 'deactivate' && c.frozenAt ? 'deactivation_not_sent' : 'write_not_sent';
      move = { id: c._id, from: 'reclaiming', events: [event], set: { phase: null } };
    }
    if (landed) out.confirmed += 1;
    out.moves.push(move);
    out.audits.push(
      candidateAudit(
        scope,
        c,
        rule,
        'verify_interrupted',
        landed ? `${phase} had landed in Salesforce` : `${phase} had not reached Salesforce`,
      ),
    );
  }
  return out;
}
