/** Every profile with its status, a link to its pages, and a re-sync for published ones. */
import { useState } from 'preact/hooks';
import { get, request } from '../api.js';
import { pageOf, profileSchema, startedSchema, type Session } from '../schemas.js';
import { Notice } from '../components/Notice.js';
import { href } from '../route.js';
import { useLoad } from '../useLoad.js';

export function ProfilesPage(_props: { session: Session }) {
  const list = useLoad(() => get('/api/v1/profiles?limit=500&sort=displayName', pageOf(profileSchema)), []);
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const resync = async (id: string, name: string) => {
    try {
      const { runId } = await request('POST', `/api/v1/profiles/${id}/sync`, startedSchema, {});
      setMessage(`${name}: run ${runId} started`);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <h1>Profiles</h1>
      <Notice error={error ?? list.error} message={message} />
      {list.data && list.data.items.length === 0 && (
        <p>
          No profile yet. <a href={href('setup')}>Start the setup</a>.
        </p>
      )}
      {list.data && list.data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Profiles</caption>
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Status</th>
              <th scope="col">Runs</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((p) => (
              <tr>
                <td>
                  <a href={href('profiles', p.id)}>{p.displayName}</a>
                </td>
                <td>{p.status}</td>
                <td>
                  {p.subflows.reclaimSubscriptions ? 'download, candidates, reclaim' : 'download, candidates'}
                </td>
                <td>
                  {p.status === 'published' && (
                    <button type="button" onClick={() => void resync(p.id, p.displayName)}>
                      Re-sync {p.displayName}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
