/** A validation's checks, each passed or failed, with what to fix for the failed ones. */
import type { Profile } from '../schemas.js';
import { when } from '../format.js';

/** What an admin does in Salesforce or here when a check of the validate job fails. */
const FIXES: Record<string, string> = {
  token: 'authorize the alias again (Setup, step 1 or 2).',
  limits: 'give the connected user the "API Enabled" permission.',
  reclaimDeactivate: 'give the connected user "Manage Users", or turn reclaim off for this profile.',
  reclaimFreeze: 'give the connected user "Manage Users", or turn reclaim off for this profile.',
};
const READ_FIX = 'give the connected user "View Setup and Configuration" and read access to this object.';

function fixFor(name: string): string {
  return FIXES[name] ?? READ_FIX;
}

export function ValidationChecks(props: { validation: NonNullable<Profile['lastValidation']> }) {
  const v = props.validation;
  return (
    <div class="checks">
      <p>
        {v.ok ? 'Validation passed' : 'Validation failed'} ({when(v.at)})
      </p>
      <ul aria-label="Validation checks">
        {v.checks.map((c) => (
          <li class={c.ok ? 'ok' : 'failed'}>
            <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span> <strong>{c.name}</strong>:{' '}
            {c.ok ? 'passed' : 'failed'}
            {c.detail ? ` — ${c.detail}` : ''}
            {!c.ok ? <em> To fix: {fixFor(c.name)}</em> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
