/**
 * What the org owns and pays: the profile's currency, and per software model the owned seats (the
 * org's TotalLicenses unless entered) and a price per seat per month. Savings are computed from these.
 */
import { useState } from 'preact/hooks';
import { get, request, seg } from '../api.js';
import { entitlementListSchema, entitlementSchema, type Entitlement } from '../schemas.js';
import { count, toMinor } from '../format.js';
import { Notice } from '../components/Notice.js';
import { useLoad } from '../useLoad.js';
import { z } from 'zod';

function PriceRow(props: {
  profileId: string;
  e: Entitlement;
  currency: string | null;
  onSaved(m: string): void;
  onError(m: string): void;
}) {
  const e = props.e;
  const [owned, setOwned] = useState(e.ownedSeats === null ? '' : String(e.ownedSeats));
  const [price, setPrice] = useState(
    e.pricePerSeatMonthMinor === null ? '' : (e.pricePerSeatMonthMinor / 100).toFixed(2),
  );
  const save = async (ev: Event) => {
    ev.preventDefault();
    const priceMinor = toMinor(price);
    if (Number.isNaN(priceMinor)) {
      props.onError(`Price for ${e.identifier}: a number with at most two decimals, e.g. 25.00`);
      return;
    }
    try {
      await request(
        'PUT',
        `/api/v1/profiles/${props.profileId}/entitlements/${seg(e.identifier)}`,
        entitlementSchema,
        {
          ownedSeats: owned.trim() === '' ? null : Number(owned),
          pricePerSeatMonthMinor: priceMinor,
        },
      );
      props.onSaved(`Saved ${e.label} (${e.identifier}).`);
    } catch (err) {
      props.onError((err as Error).message);
    }
  };
  const id = `price-${e.identifier.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <tr>
      <td>
        {e.label} <code>{e.identifier}</code>
      </td>
      <td>{count(e.orgTotalLicenses)}</td>
      <td>
        <form id={id} class="inline" onSubmit={save} aria-label={`Entitlement of ${e.identifier}`}>
          <label>
            Owned seats of {e.identifier}{' '}
            <input
              type="number"
              min="0"
              value={owned}
              placeholder={e.orgTotalLicenses === null ? '' : String(e.orgTotalLicenses)}
              onInput={(ev) => setOwned(ev.currentTarget.value)}
            />
          </label>
          <label>
            Price per seat per month of {e.identifier} ({props.currency ?? 'set a currency first'}){' '}
            <input
              inputMode="decimal"
              value={price}
              disabled={!props.currency}
              onInput={(ev) => setPrice(ev.currentTarget.value)}
            />
          </label>
          <button type="submit">Save {e.identifier}</button>
        </form>
      </td>
    </tr>
  );
}

export function PricesPage(props: { profileId: string }) {
  const list = useLoad(
    () => get(`/api/v1/profiles/${props.profileId}/entitlements`, entitlementListSchema),
    [props.profileId],
  );
  const [currency, setCurrency] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const saveCurrency = async (e: Event) => {
    e.preventDefault();
    try {
      await request(
        'PUT',
        `/api/v1/profiles/${props.profileId}/currency`,
        z.object({ currency: z.string() }),
        {
          currency: currency.trim().toUpperCase(),
        },
      );
      setMessage(`Currency set to ${currency.trim().toUpperCase()}.`);
      setError(undefined);
      await list.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const data = list.data;
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">Prices and owned seats</h2>
      <Notice error={error ?? list.error} message={message} />
      <form class="inline card" onSubmit={saveCurrency} aria-label="Currency">
        <label>
          Currency of this profile (ISO 4217, e.g. EUR){' '}
          <input
            id="currency"
            value={currency}
            placeholder={data?.currency ?? 'EUR'}
            required
            maxLength={3}
            onInput={(e) => setCurrency(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Set currency</button>
        <span>Now: {data?.currency ?? 'none'}</span>
      </form>
      {data && data.items.length === 0 && <p>No software model yet: they appear after the first sync.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Entitlements</caption>
          <thead>
            <tr>
              <th scope="col">Software model</th>
              <th scope="col">Org's TotalLicenses</th>
              <th scope="col">Owned seats and price</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((e) => (
              <PriceRow
                key={`${e.identifier}-${data.currency ?? ''}`}
                profileId={props.profileId}
                e={e}
                currency={data.currency}
                onError={setError}
                onSaved={(m) => {
                  setMessage(m);
                  setError(undefined);
                  void list.reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
