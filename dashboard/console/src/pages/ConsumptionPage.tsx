/** API limits and usage-based entitlements as the last run read them, with the billing window. */
import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { consumptionSchema, pageOf } from '../schemas.js';
import { count, day } from '../format.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad } from '../useLoad.js';

export function ConsumptionPage(props: { profileId: string }) {
  const [source, setSource] = useState('');
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const list = useLoad(
    () =>
      get(
        `/api/v1/profiles/${props.profileId}/consumption${query({ ...paging, source, sort: 'metric' })}`,
        pageOf(consumptionSchema),
      ),
    [props.profileId, source, paging.offset, paging.limit],
  );
  return (
    <section aria-labelledby="consumption-title">
      <h2 id="consumption-title">Consumption</h2>
      <label for="consumption-source">Show</label>{' '}
      <select
        id="consumption-source"
        value={source}
        onChange={(e) => {
          setSource(e.currentTarget.value);
          setPaging({ ...paging, offset: 0 });
        }}
      >
        <option value="">API limits and usage entitlements</option>
        <option value="limits">API limits</option>
        <option value="usage_entitlement">Usage-based entitlements</option>
      </select>
      <Notice error={list.error} />
      {list.data && (
        <>
          <table>
            <caption class="visually-hidden">Consumption</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Kind</th>
                <th scope="col">Used</th>
                <th scope="col">Allowed</th>
                <th scope="col">Share</th>
                <th scope="col">Billing window</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr>
                  <td>{c.label}</td>
                  <td>{c.source === 'limits' ? 'API limit' : 'usage entitlement'}</td>
                  <td>{count(c.used)}</td>
                  <td>{count(c.allowed)}</td>
                  <td>
                    {c.used !== null && c.allowed ? `${((100 * c.used) / c.allowed).toFixed(1)} %` : '—'}
                  </td>
                  <td>{c.periodStart ? `from ${day(c.periodStart)}, before ${day(c.periodEnd)}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Metrics"
            total={list.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}
