/**
 * Creates a draft profile on an alias: its name, what it runs, and optionally a first reclamation
 * rule (rules for every license found are generated at the first sync; one entered here is kept).
 */
import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { idSchema, ruleSchema, type Alias } from '../schemas.js';
import { Notice } from './Notice.js';

export function ProfileForm(props: { aliases: Alias[]; onDone(): void }) {
  const [displayName, setDisplayName] = useState('');
  const [aliasId, setAliasId] = useState(props.aliases[0]?.id ?? '');
  const [reclaim, setReclaim] = useState(false);
  const [consumption, setConsumption] = useState(true);
  const [ruleIdentifier, setRuleIdentifier] = useState('');
  const [threshold, setThreshold] = useState('60');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await request('POST', '/api/v1/profiles', idSchema, {
        displayName,
        aliasId,
        subflows: {
          downloadSubscriptions: true,
          reclaimSubscriptions: reclaim,
          downloadConsumption: consumption,
        },
      });
      if (ruleIdentifier.trim()) {
        await request('POST', `/api/v1/profiles/${created.id}/reclamation-rules`, ruleSchema.partial(), {
          identifier: ruleIdentifier.trim(),
          name: ruleIdentifier.trim(),
          thresholdDays: Number(threshold),
        });
      }
      // Each profile starts from the defaults: a second one must not inherit the first's reclaim.
      setDisplayName('');
      setReclaim(false);
      setConsumption(true);
      setRuleIdentifier('');
      setThreshold('60');
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id="profile-form" class="card" onSubmit={submit} aria-label="New profile">
      <label for="profile-name">Display name</label>
      <input
        id="profile-name"
        value={displayName}
        required
        onInput={(e) => setDisplayName(e.currentTarget.value)}
      />
      <label for="profile-alias">Alias (org)</label>
      <select id="profile-alias" value={aliasId} required onChange={(e) => setAliasId(e.currentTarget.value)}>
        {props.aliases.map((a) => (
          <option value={a.id}>
            {a.name} ({a.orgId ?? a.instanceUrl})
          </option>
        ))}
      </select>
      <fieldset>
        <legend>What it runs</legend>
        <label>
          <input type="checkbox" checked disabled /> Download users, licenses and last logins (always on;
          reads only)
        </label>
        <label>
          <input
            type="checkbox"
            checked={consumption}
            onChange={(e) => setConsumption(e.currentTarget.checked)}
          />{' '}
          Download consumption: API limits and usage-based entitlements (reads only)
        </label>
        <label>
          <input type="checkbox" checked={reclaim} onChange={(e) => setReclaim(e.currentTarget.checked)} />{' '}
          Reclaim: freeze or deactivate the users you approve (writes to Salesforce). Off: candidates only.
        </label>
      </fieldset>
      <fieldset>
        <legend>First rule (optional)</legend>
        <label for="rule-identifier">License identifier, e.g. UL:SFDC</label>
        <input
          id="rule-identifier"
          value={ruleIdentifier}
          onInput={(e) => setRuleIdentifier(e.currentTarget.value)}
        />
        <label for="rule-threshold">Days without login before a seat is a candidate</label>
        <input
          id="rule-threshold"
          type="number"
          min="1"
          max="3650"
          value={threshold}
          onInput={(e) => setThreshold(e.currentTarget.value)}
        />
      </fieldset>
      <button type="submit" disabled={busy || props.aliases.length === 0}>
        Create profile
      </button>
      <Notice error={error} />
    </form>
  );
}
