/**
 * Reclamation rules of a profile: threshold, action, approval and grace, edited one at a time, with
 * a threshold simulation from the stored download before anything is saved.
 */
import { useState } from 'preact/hooks';
import { get, query, request } from '../api.js';
import { pageOf, ruleSchema, simulationSchema, type Rule, type Simulation } from '../schemas.js';
import { money } from '../format.js';
import { Notice } from '../components/Notice.js';
import { Pager } from '../components/Pager.js';
import { useLoad } from '../useLoad.js';

const ACTIONS: Record<Rule['action'], string> = {
  deactivate_user: 'Deactivate the user',
  freeze_user: 'Freeze the user',
  remove_assignment: 'Remove the license assignment',
};

export function simulationSentence(s: Simulation): string {
  const worth =
    s.monthlyMinor === null ? 'no price entered' : `worth ${money(s.monthlyMinor, s.currency)} per month`;
  return `A ${s.thresholdDays}-day rule would flag ${s.flaggedUsers} users, free ${s.freedSeats} licenses, ${worth}.`;
}

function RuleEditor(props: { profileId: string; rule: Rule; onSaved(): void; onClose(): void }) {
  const r = props.rule;
  const [threshold, setThreshold] = useState(String(r.thresholdDays));
  const [grace, setGrace] = useState(String(r.graceDays));
  const [action, setAction] = useState<Rule['action']>(r.action);
  const [deactivateNow, setDeactivateNow] = useState(r.deactivateNow);
  const [requiresApproval, setRequiresApproval] = useState(r.requiresApproval);
  const [enabled, setEnabled] = useState(r.enabled);
  const [simulation, setSimulation] = useState<Simulation | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  const simulate = async () => {
    setError(undefined);
    try {
      setSimulation(
        await get(
          `/api/v1/profiles/${props.profileId}/reclamation-rules/${r.id}/simulation${query({
            thresholdDays: threshold,
            graceDays: grace,
            action,
          })}`,
          simulationSchema,
        ),
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await request(
        'PATCH',
        `/api/v1/profiles/${props.profileId}/reclamation-rules/${r.id}`,
        ruleSchema.partial(),
        {
          thresholdDays: Number(threshold),
          graceDays: Number(grace),
          action,
          ...(action === 'deactivate_user' ? { deactivateNow } : {}),
          requiresApproval,
          enabled,
        },
      );
      setMessage(
        `Saved the rule for ${r.identifier}. Re-sync before deciding its candidates: they were computed under the previous version.`,
      );
      props.onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="card" id="rule-editor" onSubmit={save} aria-label={`Edit rule ${r.identifier}`}>
      <h2>
        Rule for {r.name} ({r.identifier})
      </h2>
      <label for="rule-threshold-days">Days without login before a seat is a candidate</label>
      <input
        id="rule-threshold-days"
        type="number"
        min="1"
        max="3650"
        required
        value={threshold}
        onInput={(e) => setThreshold(e.currentTarget.value)}
      />
      <label for="rule-grace-days">Grace: accounts younger than this many days are never candidates</label>
      <input
        id="rule-grace-days"
        type="number"
        min="0"
        max="3650"
        required
        value={grace}
        onInput={(e) => setGrace(e.currentTarget.value)}
      />
      <label for="rule-action">Action in Salesforce</label>
      <select
        id="rule-action"
        value={action}
        onChange={(e) => setAction(e.currentTarget.value as Rule['action'])}
      >
        {Object.entries(ACTIONS).map(([k, label]) => (
          <option value={k}>{label}</option>
        ))}
      </select>
      {action === 'deactivate_user' && (
        <label>
          <input
            type="checkbox"
            checked={deactivateNow}
            onChange={(e) => setDeactivateNow(e.currentTarget.checked)}
          />{' '}
          Deactivate at once (otherwise freeze first, deactivate after {r.freezeDays} days)
        </label>
      )}
      <label>
        <input
          type="checkbox"
          checked={requiresApproval}
          onChange={(e) => setRequiresApproval(e.currentTarget.checked)}
        />{' '}
        Each candidate needs a person's approval
      </label>
      <label>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Rule
        enabled
      </label>
      <div class="actions">
        <button type="button" onClick={() => void simulate()}>
          Simulate
        </button>
        <button type="submit">Save rule</button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {simulation && (
        <p id="simulation-result" role="status" class="simulation">
          {simulationSentence(simulation)}
          {simulation.excluded + simulation.spared > 0 &&
            ` (${simulation.excluded} kept out by exclusions, ${simulation.spared} never reclaimed: integration or connected users.)`}
          {simulation.syncId === null && ' No download yet: sync the profile first.'}
        </p>
      )}
      <Notice error={error} message={message} />
    </form>
  );
}

export function RulesPage(props: { profileId: string }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const [editing, setEditing] = useState<string | undefined>();
  const rules = useLoad(
    () =>
      get(
        `/api/v1/profiles/${props.profileId}/reclamation-rules${query({ ...paging, sort: 'identifier' })}`,
        pageOf(ruleSchema),
      ),
    [props.profileId, paging.offset, paging.limit],
  );
  const rule = rules.data?.items.find((r) => r.id === editing);
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Reclamation rules</h2>
      <Notice error={rules.error} />
      {rule && (
        <RuleEditor
          key={rule.id}
          profileId={props.profileId}
          rule={rule}
          onSaved={() => void rules.reload()}
          onClose={() => setEditing(undefined)}
        />
      )}
      {rules.data && (
        <>
          <table>
            <caption class="visually-hidden">Reclamation rules</caption>
            <thead>
              <tr>
                <th scope="col">License</th>
                <th scope="col">Threshold</th>
                <th scope="col">Grace</th>
                <th scope="col">Action</th>
                <th scope="col">Approval</th>
                <th scope="col">Enabled</th>
                <th scope="col">Edit</th>
              </tr>
            </thead>
            <tbody>
              {rules.data.items.map((r) => (
                <tr>
                  <td>
                    {r.name} <code>{r.identifier}</code>
                  </td>
                  <td>{r.thresholdDays} days</td>
                  <td>{r.graceDays} days</td>
                  <td>
                    {ACTIONS[r.action]}
                    {r.action === 'deactivate_user' &&
                      (r.deactivateNow ? ' at once' : ` after ${r.freezeDays} frozen days`)}
                  </td>
                  <td>{r.requiresApproval ? 'required' : 'automatic'}</td>
                  <td>{r.enabled ? 'yes' : 'no'}</td>
                  <td>
                    <button type="button" onClick={() => setEditing(r.id)}>
                      Edit rule {r.identifier}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager
            label="Rules"
            total={rules.data.total}
            {...paging}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </section>
  );
}
