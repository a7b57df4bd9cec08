/**
 * Entitlements, compliance and savings of one profile (picked from the list), its history per sync
 * as charts, the people holding seats in several orgs, and CSV exports of each.
 */
import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import {
  historyPointSchema,
  pageOf,
  personSchema,
  profileSchema,
  savingsSchema,
  type Profile,
  type SavingsRow,
  type SavingsTable,
  type Session,
} from '../schemas.js';
import { count, money, when } from '../format.js';
import { HistoryChart, type Series } from '../components/HistoryChart.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { go, href } from '../route.js';
import { useLoad } from '../useLoad.js';

const SEATS: Series[] = [
  { key: 'used', label: 'Seats used', color: '#1f5fa8' },
  { key: 'active', label: 'Active', color: '#2e8540' },
  { key: 'reclaimable', label: 'Reclaimable', color: '#b26b00' },
  { key: 'reclaimed', label: 'Reclaimed', color: '#7a3e9d' },
];
const MONEY: Series[] = [
  { key: 'potentialMonthlyMinor', label: 'Potential per month', color: '#b26b00', money: true },
  { key: 'realizedMonthlyMinor', label: 'Realized per month', color: '#2e8540', money: true },
];

function position(r: SavingsRow): string {
  const c = r.compliance;
  if (c.status === 'unknown') return 'unknown (no owned seats)';
  if (c.status === 'balanced') return 'balanced';
  if (c.status === 'under_licensed') return `under by ${c.shortfall}`;
  return `over by ${c.unassigned}`;
}

function Summary(props: { table: SavingsTable }) {
  const { totals: t, currency } = props.table;
  return (
    <dl class="figures" aria-label="Compliance and savings">
      <div>
        <dt>Compliance position</dt>
        <dd id="compliance-position">
          under-licensed: {t.underLicensed} models (true-up exposure {money(t.trueUpMonthlyMinor, currency)}{' '}
          per month); over-licensed: {t.overLicensed} models
        </dd>
      </div>
      <div>
        <dt>Potential savings</dt>
        <dd id="potential-savings">
          {money(t.potentialMonthlyMinor, currency)} per month ({money(t.potentialAnnualMinor, currency)} per
          year) from {count(t.reclaimable)} reclaimable seats
        </dd>
      </div>
      <div>
        <dt>Realized savings</dt>
        <dd id="realized-savings">
          {money(t.realizedMonthlyMinor, currency)} per month ({money(t.realizedAnnualMinor, currency)} per
          year) from {count(t.reclaimed)} reclaimed seats
        </dd>
      </div>
    </dl>
  );
}

function ModelTable(props: { table: SavingsTable }) {
  const { currency } = props.table;
  return (
    <table id="savings-table">
      <caption>Per software model (as of {when(props.table.asOf)})</caption>
      <thead>
        <tr>
          <th scope="col">Software model</th>
          <th scope="col">Used</th>
          <th scope="col">Active</th>
          <th scope="col">Owned</th>
          <th scope="col">Position</th>
          <th scope="col">Reclaimable</th>
          <th scope="col">Reclaimed</th>
          <th scope="col">Price / seat / month</th>
          <th scope="col">Potential / month</th>
          <th scope="col">Realized / month</th>
        </tr>
      </thead>
      <tbody>
        {props.table.models.map((r) => (
          <tr>
            <td>
              {r.product} <code>{r.identifier}</code>
            </td>
            <td>{count(r.used)}</td>
            <td>{count(r.active)}</td>
            <td>
              {count(r.owned)}
              {r.ownedSource === 'entered' ? ' (entered)' : ''}
            </td>
            <td>{position(r)}</td>
            <td>{count(r.reclaimable)}</td>
            <td>{count(r.reclaimed)}</td>
            <td>{money(r.pricePerSeatMonthMinor, currency)}</td>
            <td>{money(r.potential?.monthlyMinor, currency)}</td>
            <td>{money(r.realized?.monthlyMinor, currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProfileSavings(props: { profile: Profile }) {
  const id = props.profile.id;
  const table = useLoad(() => get(`/api/v1/profiles/${id}/savings`, savingsSchema), [id]);
  const history = useLoad(
    () => get(`/api/v1/profiles/${id}/savings/history?limit=500`, pageOf(historyPointSchema)),
    [id],
  );
  return (
    <section aria-labelledby="profile-savings-title">
      <h2 id="profile-savings-title">{props.profile.displayName}</h2>
      <Notice error={table.error ?? history.error} />
      <p>
        <a href={href('profiles', id, 'prices')}>Enter prices and owned seats</a> ·{' '}
        <a href={`/api/v1/profiles/${id}/savings.csv`} download>
          Savings table as CSV
        </a>{' '}
        ·{' '}
        <a href={`/api/v1/profiles/${id}/savings/history.csv`} download>
          History as CSV
        </a>
      </p>
      {table.data && <Summary table={table.data} />}
      {table.data && table.data.currency === null && (
        <p class="hint">No currency yet: enter one and prices per seat to see amounts.</p>
      )}
      {history.data && history.data.items.length > 0 && (
        <div class="charts">
          <HistoryChart id="chart-seats" title="Seats per sync" points={history.data.items} series={SEATS} />
          <HistoryChart
            id="chart-savings"
            title={`Savings per sync (${table.data?.currency ?? 'no currency'})`}
            points={history.data.items}
            series={MONEY}
          />
        </div>
      )}
      {table.data && <ModelTable table={table.data} />}
    </section>
  );
}

function PeopleAcrossOrgs(props: { profiles: Profile[] }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 25 });
  const people = useLoad(
    () => get(`/api/v1/people/across-orgs${query(paging)}`, pageOf(personSchema)),
    [paging.offset, paging.limit],
  );
  const name = (profileId: string) =>
    props.profiles.find((p) => p.id === profileId)?.displayName ?? profileId;
  return (
    <section aria-labelledby="people-title">
      <h2 id="people-title">People with seats in several orgs</h2>
      <p>
        Matched by email or federation id.{' '}
        <a href="/api/v1/people/across-orgs.csv" download>
          People across orgs as CSV
        </a>
      </p>
      <Notice error={people.error} />
      {people.data && (
        <>
          <table id="people-table">
            <caption class="visually-hidden">People across orgs</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Orgs</th>
                <th scope="col">Accounts</th>
                <th scope="col">Cost per month</th>
              </tr>
            </thead>
            <tbody>
              {people.data.items.map((p) => (
                <tr>
                  <td>{p.emails.join(', ') || p.federationIds.join(', ')}</td>
                  <td>{p.orgCount}</td>
                  <td>
                    {p.accounts
                      .map((a) => `${a.username} in ${name(a.profileId)} (${a.identifiers.length} seats)`)
                      .join('; ')}
                  </td>
                  <td>
                    {Object.entries(p.monthlyCostMinor)
                      .map(([cur, minor]) => money(minor, cur))
                      .join(' + ') || '—'}
                    {p.unpricedSeats > 0 ? ` (+${p.unpricedSeats} unpriced seats)` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="People"
            total={people.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}

export function SavingsPage(props: { profileId?: string | undefined; session: Session }) {
  const profiles = useLoad(
    () => get('/api/v1/profiles?limit=500&sort=displayName', pageOf(profileSchema)),
    [],
  );
  const list = profiles.data?.items ?? [];
  const current = list.find((p) => p.id === props.profileId) ?? list[0];
  return (
    <>
      <h1>Savings and compliance</h1>
      <Notice error={profiles.error} />
      {profiles.data && list.length === 0 && (
        <p>
          No profile yet. <a href={href('setup')}>Start the setup</a>.
        </p>
      )}
      {list.length > 0 && (
        <p>
          <label for="savings-profile">Profile</label>{' '}
          <select
            id="savings-profile"
            value={current?.id}
            onChange={(e) => go('savings', e.currentTarget.value)}
          >
            {list.map((p) => (
              <option value={p.id}>{p.displayName}</option>
            ))}
          </select>
        </p>
      )}
      {current && <ProfileSavings key={current.id} profile={current} />}
      {list.length > 0 && <PeopleAcrossOrgs profiles={list} />}
    </>
  );
}
