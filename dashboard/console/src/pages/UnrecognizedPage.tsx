/** License identifiers no product matches: map one to a product, or ignore it. */
import { useState } from 'preact/hooks';
import { get, query, request } from '../api.js';
import { pageOf, unrecognizedSchema, type Unrecognized } from '../schemas.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad } from '../useLoad.js';

function Row(props: {
  profileId: string;
  item: Unrecognized;
  onDone(message: string): void;
  onError(m: string): void;
}) {
  const u = props.item;
  const [product, setProduct] = useState('');
  const base = `/api/v1/profiles/${props.profileId}/unrecognized-identifiers/${u.id}`;
  const seats = u.subscriptionCount ?? 0;
  const decide = async (decision: 'map' | 'ignore') => {
    try {
      await request(
        'POST',
        `${base}/${decision}`,
        unrecognizedSchema.partial(),
        decision === 'map' ? { product } : {},
      );
      props.onDone(
        decision === 'map'
          ? `${u.identifier} mapped to ${product}: the next sync counts its ${seats} subscriptions as ${product}, with a rule of its own.`
          : `${u.identifier} ignored: the next sync leaves its ${seats} subscriptions out of every count.`,
      );
    } catch (e) {
      props.onError((e as Error).message);
    }
  };
  return (
    <tr>
      <td>
        <code>{u.identifier}</code> {u.label ?? ''}
      </td>
      <td>{seats}</td>
      <td>{u.status === 'mapped' ? `mapped to ${u.mappedProduct ?? ''}` : u.status}</td>
      <td>
        {u.status === 'open' && (
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void decide('map');
            }}
          >
            <label>
              Product for {u.identifier}{' '}
              <input required value={product} onInput={(e) => setProduct(e.currentTarget.value)} />
            </label>
            <button type="submit">Map</button>
            <button type="button" onClick={() => void decide('ignore')}>
              Ignore {u.identifier}
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

export function UnrecognizedPage(props: { profileId: string }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const list = useLoad(
    () =>
      get(
        `/api/v1/profiles/${props.profileId}/unrecognized-identifiers${query({ ...paging, sort: '-subscriptionCount' })}`,
        pageOf(unrecognizedSchema),
      ),
    [props.profileId, paging.offset, paging.limit],
  );
  return (
    <section aria-labelledby="unrecognized-title">
      <h2 id="unrecognized-title">Unrecognized identifiers</h2>
      <Notice error={error ?? list.error} message={message} />
      {list.data && list.data.total === 0 && <p>Every license identifier of this org is recognized.</p>}
      {list.data && list.data.total > 0 && (
        <>
          <table>
            <caption class="visually-hidden">Unrecognized identifiers</caption>
            <thead>
              <tr>
                <th scope="col">Identifier</th>
                <th scope="col">Subscriptions</th>
                <th scope="col">Status</th>
                <th scope="col">Decide</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((u) => (
                <Row
                  profileId={props.profileId}
                  item={u}
                  onError={setError}
                  onDone={(m) => {
                    setMessage(m);
                    void list.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
          <Pager
            label="Identifiers"
            total={list.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}
