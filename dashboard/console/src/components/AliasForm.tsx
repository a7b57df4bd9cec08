/**
 * Creates a connection alias (parent, or child of a parent) and starts its authorization: the
 * Authorization Code grant leaves for Salesforce's login page and comes back to the wizard; the
 * Client Credentials grant asks Salesforce for a token from the server, with no browser step.
 */
import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { aliasSchema, idSchema, type Alias } from '../schemas.js';
import { Notice } from './Notice.js';
import { authorize } from './authorize.js';

export function AliasForm(props: { parent?: Alias | undefined; formId: string; onDone(): void }) {
  const [name, setName] = useState('');
  const [instanceUrl, setInstanceUrl] = useState('');
  const [grantType, setGrantType] = useState<'authorization_code' | 'client_credentials'>(
    props.parent ? 'client_credentials' : 'authorization_code',
  );
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const f = props.formId;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await request('POST', '/api/v1/aliases', idSchema, {
        name,
        instanceUrl,
        grantType,
        clientId,
        clientSecret,
        ...(props.parent ? { parentId: props.parent.id } : {}),
      });
      const alias = await request('GET', `/api/v1/aliases/${created.id}`, aliasSchema);
      await authorize(alias);
      // Cleared for the next alias; the secret above all must not linger in the page.
      setName('');
      setInstanceUrl('');
      setClientId('');
      setClientSecret('');
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      id={f}
      class="card"
      onSubmit={submit}
      aria-label={props.parent ? 'New child alias' : 'New parent alias'}
    >
      <label for={`${f}-name`}>Alias name</label>
      <input id={`${f}-name`} value={name} required onInput={(e) => setName(e.currentTarget.value)} />
      <label for={`${f}-url`}>Salesforce instance or login URL</label>
      <input
        id={`${f}-url`}
        value={instanceUrl}
        required
        placeholder="https://yourcompany.my.salesforce.com"
        onInput={(e) => setInstanceUrl(e.currentTarget.value)}
      />
      <fieldset>
        <legend>How seatwise signs in</legend>
        <label>
          <input
            type="radio"
            name={`${f}-grant`}
            value="authorization_code"
            checked={grantType === 'authorization_code'}
            onChange={() => setGrantType('authorization_code')}
          />{' '}
          Authorization Code: you log in to Salesforce and approve access (PKCE)
        </label>
        <label>
          <input
            type="radio"
            name={`${f}-grant`}
            value="client_credentials"
            checked={grantType === 'client_credentials'}
            onChange={() => setGrantType('client_credentials')}
          />{' '}
          Client Credentials: the connected app's run-as user, no browser step
        </label>
      </fieldset>
      <label for={`${f}-client-id`}>Connected app consumer key (client id)</label>
      <input
        id={`${f}-client-id`}
        value={clientId}
        required
        onInput={(e) => setClientId(e.currentTarget.value)}
      />
      <label for={`${f}-client-secret`}>Consumer secret</label>
      <input
        id={`${f}-client-secret`}
        type="password"
        autocomplete="off"
        value={clientSecret}
        required
        onInput={(e) => setClientSecret(e.currentTarget.value)}
      />
      <p class="hint">
        In Salesforce this only signs in: seatwise stores the tokens encrypted and makes no change in the org.
      </p>
      <button type="submit" disabled={busy}>
        {grantType === 'authorization_code' ? 'Create and authorize in Salesforce' : 'Create and connect'}
      </button>
      <Notice error={error} />
    </form>
  );
}
