/**
 * Removal candidates with their evidence, filtered, sorted and paged on the server (any number),
 * and decided in bulk: approve, reject or withdraw the selected rows.
 */
import { useState } from 'preact/hooks';
import { get, query, request } from '../api.js';
import {
  CANDIDATE_STATUSES,
  candidateSchema,
  decisionResultSchema,
  pageOf,
  type Candidate,
} from '../schemas.js';
import { day } from '../format.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad } from '../useLoad.js';

const SORTS = [
  ['createdAt', 'Oldest first'],
  ['-createdAt', 'Newest first'],
  ['username', 'Username A–Z'],
  ['-username', 'Username Z–A'],
  ['identifier', 'License'],
  ['status', 'Status'],
] as const;

const DECISIONS = [
  ['approve', 'Approve selected'],
  ['reject', 'Reject selected'],
  ['withdraw', 'Withdraw selected'],
] as const;

function why(c: Candidate): string {
  if (c.reason?.startsWith('spared: '))
    return `spared: ${c.reason.slice('spared: '.length).replace(/_/g, ' ')}`;
  return c.reason ?? c.outcome ?? '';
}

export function CandidatesPage(props: { profileId: string }) {
  const base = `/api/v1/profiles/${props.profileId}/removal-candidates`;
  const [filters, setFilters] = useState({
    status: 'pending',
    identifier: '',
    spared: '',
    sort: 'createdAt',
  });
  // What is typed in the license box, applied on Enter or leaving it. Bound to the box on every
  // keystroke: bound to the applied filter only, any render before Enter (a list answer arriving)
  // would put the box back to the old filter and drop what was typed.
  const [identifierDraft, setIdentifierDraft] = useState('');
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const list = useLoad(
    () => get(`${base}${query({ ...filters, ...paging })}`, pageOf(candidateSchema)),
    [base, filters.status, filters.identifier, filters.spared, filters.sort, paging.offset, paging.limit],
  );
  const setFilter = (k: keyof typeof filters, v: string) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setPaging((p) => ({ ...p, offset: 0 }));
    setSelected(new Set());
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const items = list.data?.items ?? [];
  const allOnPage = items.length > 0 && items.every((c) => selected.has(c.id));
  const decide = async (decision: string) => {
    setError(undefined);
    try {
      const result = await request('POST', `${base}/decisions`, decisionResultSchema, {
        decision,
        ids: [...selected],
      });
      setMessage(
        `${result.decided.length} candidates now ${result.status}${result.skipped.length ? `; ${result.skipped.length} skipped (changed meanwhile)` : ''}.`,
      );
      setSelected(new Set());
      await list.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="candidates-title">
      <h2 id="candidates-title">Removal candidates</h2>
      <form class="filters" aria-label="Candidate filters" onSubmit={(e) => e.preventDefault()}>
        <label for="candidate-status">Status</label>
        <select
          id="candidate-status"
          value={filters.status}
          onChange={(e) => setFilter('status', e.currentTarget.value)}
        >
          <option value="">any</option>
          {CANDIDATE_STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <label for="candidate-identifier">License identifier</label>
        <input
          id="candidate-identifier"
          value={identifierDraft}
          placeholder="UL:SFDC"
          onInput={(e) => setIdentifierDraft(e.currentTarget.value)}
          onChange={(e) => setFilter('identifier', e.currentTarget.value.trim())}
        />
        <label for="candidate-spared">Spared users</label>
        <select
          id="candidate-spared"
          value={filters.spared}
          onChange={(e) => setFilter('spared', e.currentTarget.value)}
        >
          <option value="">shown</option>
          <option value="false">hidden</option>
          <option value="true">only</option>
        </select>
        <label for="candidate-sort">Sort</label>
        <select
          id="candidate-sort"
          value={filters.sort}
          onChange={(e) => setFilter('sort', e.currentTarget.value)}
        >
          {SORTS.map(([v, label]) => (
            <option value={v}>{label}</option>
          ))}
        </select>
      </form>
      <Notice error={error ?? list.error} message={message} />
      <div class="actions" role="group" aria-label="Decide the selected candidates">
        {DECISIONS.map(([d, label]) => (
          <button type="button" disabled={selected.size === 0} onClick={() => void decide(d)}>
            {label} ({selected.size})
          </button>
        ))}
      </div>
      {list.data && (
        <>
          <table id="candidates-table" aria-busy={list.loading ? 'true' : 'false'}>
            <caption class="visually-hidden">Removal candidates</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every candidate on this page"
                    checked={allOnPage}
                    onChange={(e) =>
                      setSelected(e.currentTarget.checked ? new Set(items.map((c) => c.id)) : new Set())
                    }
                  />
                </th>
                <th scope="col">User</th>
                <th scope="col">License</th>
                <th scope="col">Last login</th>
                <th scope="col">Idle days / rule</th>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${c.username} (${c.identifier})`}
                      checked={selected.has(c.id)}
                      onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                    />
                  </td>
                  <td>{c.username}</td>
                  <td>
                    <code>{c.identifier}</code>
                  </td>
                  <td>{day(c.evidence.lastLoginAt)}</td>
                  <td>
                    {c.evidence.daysInactive} / {c.evidence.thresholdDays}
                  </td>
                  <td>{c.action.replace(/_/g, ' ')}</td>
                  <td>{c.status}</td>
                  <td>{why(c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Candidates"
            total={list.data.total}
            {...paging}
            onChange={(offset, limit) => {
              setPaging({ offset, limit });
              setSelected(new Set());
            }}
          />
        </>
      )}
    </section>
  );
}
