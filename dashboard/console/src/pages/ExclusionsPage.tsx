/** Exclusion rules: who or what is never reclaimed. A new one is previewed before it is added. */
import { useState } from 'preact/hooks';
import { get, query, request } from '../api.js';
import {
  EXCLUSION_KINDS,
  exclusionPreviewSchema,
  exclusionSchema,
  pageOf,
  type Exclusion,
  type ExclusionPreview,
} from '../schemas.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad } from '../useLoad.js';
import { z } from 'zod';

const KIND_LABELS: Record<Exclusion['kind'], string> = {
  identifier: 'License identifier (e.g. UL:SFDC)',
  user_id: 'Salesforce user id',
  username_pattern: 'Username pattern (* and ?)',
  profile_name: 'Salesforce profile name',
  user_type: 'User type',
};

export function ExclusionsPage(props: { profileId: string }) {
  const base = `/api/v1/profiles/${props.profileId}/exclusion-rules`;
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const list = useLoad(
    () => get(`${base}${query(paging)}`, pageOf(exclusionSchema)),
    [base, paging.offset, paging.limit],
  );
  const [kind, setKind] = useState<Exclusion['kind']>('username_pattern');
  const [value, setValue] = useState('');
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<ExclusionPreview | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  const runPreview = async () => {
    setError(undefined);
    try {
      setPreview(
        await get(
          `/api/v1/profiles/${props.profileId}/exclusion-preview${query({ kind, value })}`,
          exclusionPreviewSchema,
        ),
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await request('POST', base, exclusionSchema, { kind, value, ...(comment ? { comment } : {}) });
      setMessage(
        `Added. The next sync spares whom it matches${preview ? ` (${preview.matchedUsers} users now)` : ''}.`,
      );
      setValue('');
      setComment('');
      setPreview(undefined);
      await list.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const remove = async (x: Exclusion) => {
    try {
      await request('DELETE', `${base}/${x.id}`, z.unknown());
      setMessage(`Removed the exclusion ${x.value}.`);
      await list.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section aria-labelledby="exclusions-title">
      <h2 id="exclusions-title">Exclusions</h2>
      <Notice error={error ?? list.error} message={message} />
      <form class="card" onSubmit={add} aria-label="New exclusion">
        <label for="exclusion-kind">Kind</label>
        <select
          id="exclusion-kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as Exclusion['kind'])}
        >
          {EXCLUSION_KINDS.map((k) => (
            <option value={k}>{KIND_LABELS[k]}</option>
          ))}
        </select>
        <label for="exclusion-value">Value</label>
        <input id="exclusion-value" required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <label for="exclusion-comment">Why (optional)</label>
        <input id="exclusion-comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        <div class="actions">
          <button type="button" disabled={!value} onClick={() => void runPreview()}>
            Preview whom it spares
          </button>
          <button type="submit">Add exclusion</button>
        </div>
        {preview && (
          <div role="status" id="exclusion-preview">
            <p>
              Matches {preview.matchedUsers} users of the current download; spares {preview.sparedCandidates}{' '}
              open candidates at the next sync.
            </p>
            {preview.sample.length > 0 && (
              <ul aria-label="Users it matches">
                {preview.sample.map((u) => (
                  <li>
                    {u.username} ({u.identifiers.join(', ')})
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </form>
      {list.data && (
        <>
          <table>
            <caption class="visually-hidden">Exclusions</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
                <th scope="col">Why</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((x) => (
                <tr>
                  <td>{KIND_LABELS[x.kind]}</td>
                  <td>
                    <code>{x.value}</code>
                  </td>
                  <td>{x.comment ?? ''}</td>
                  <td>
                    <button type="button" onClick={() => void remove(x)}>
                      Remove exclusion {x.value}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Exclusions"
            total={list.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}
