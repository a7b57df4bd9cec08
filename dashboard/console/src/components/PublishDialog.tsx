/**
 * The confirmation before publishing: says what the first run does in Salesforce now, and when the
 * schedule runs it again. A modal <dialog>: focus moves into it and Escape cancels.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Profile } from '../schemas.js';
import { describeSchedule } from '../schedule.js';

export function describeRun(p: Profile): string[] {
  const steps = ['Download users, their licenses and last logins (reads only).'];
  if (p.subflows.downloadConsumption)
    steps.push('Download API limits and usage-based entitlements (reads only).');
  steps.push('Compute removal candidates from the rules (no Salesforce call).');
  steps.push(
    p.subflows.reclaimSubscriptions
      ? p.dryRun
        ? 'Reclaim in dry run: approved candidates are checked, nothing is written.'
        : 'Reclaim: freeze or deactivate only the candidates you approve (writes to Salesforce). None are approved yet, so the first run writes nothing.'
      : 'Reclaim is off: candidates are listed for review only; nothing is written to Salesforce.',
  );
  return steps;
}

export function PublishDialog(props: { profile: Profile; onConfirm(): void; onCancel(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const p = props.profile;
  return (
    <dialog ref={ref} aria-labelledby="publish-title" onCancel={props.onCancel} class="dialog">
      <h2 id="publish-title">Publish {p.displayName}?</h2>
      <p>The first run starts now:</p>
      <ol>
        {describeRun(p).map((s) => (
          <li>{s}</li>
        ))}
      </ol>
      <p>
        Then it runs again {describeSchedule(p.schedule.cron, p.schedule.timezone)} (cron{' '}
        <code>{p.schedule.cron}</code>
        ).
      </p>
      <div class="actions">
        <button type="button" onClick={props.onConfirm}>
          Publish and start the first run
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
