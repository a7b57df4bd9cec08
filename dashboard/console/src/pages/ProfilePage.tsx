/** One profile: its header, a re-sync, and a tab per review page. */
import { useState } from 'preact/hooks';
import { get, request } from '../api.js';
import { profileSchema, startedSchema, type Session } from '../schemas.js';
import { Notice } from '../components/Notice.js';
import { href } from '../route.js';
import { useLoad } from '../useLoad.js';
import { CandidatesPage } from './CandidatesPage.js';
import { ConsumptionPage } from './ConsumptionPage.js';
import { ExclusionsPage } from './ExclusionsPage.js';
import { JobHistoryPage } from './JobHistoryPage.js';
import { PricesPage } from './PricesPage.js';
import { RulesPage } from './RulesPage.js';
import { UnrecognizedPage } from './UnrecognizedPage.js';

const TABS = [
  ['candidates', 'Candidates'],
  ['rules', 'Rules'],
  ['exclusions', 'Exclusions'],
  ['unrecognized', 'Unrecognized identifiers'],
  ['jobs', 'Job history'],
  ['consumption', 'Consumption'],
  ['prices', 'Prices and owned seats'],
] as const;

export function ProfilePage(props: { profileId: string; tab: string; session: Session }) {
  const id = props.profileId;
  const profile = useLoad(() => get(`/api/v1/profiles/${id}`, profileSchema), [id]);
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [runId, setRunId] = useState<string | undefined>();
  const p = profile.data;
  const resync = async () => {
    try {
      const started = await request('POST', `/api/v1/profiles/${id}/sync`, startedSchema, {});
      setRunId(started.runId);
      setMessage(
        `Run ${started.runId} started: download, compute candidates${p?.subflows.reclaimSubscriptions ? ', reclaim approved ones' : ''}.`,
      );
      setError(undefined);
      location.hash = href('profiles', id, 'jobs');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <h1>{p ? `${p.displayName} — ${p.status}` : 'Profile'}</h1>
      <Notice error={error ?? profile.error} message={message} />
      {p && (
        <p>
          {p.subflows.reclaimSubscriptions ? 'Reclaim on' : 'Candidates only (reclaim off)'}
          {p.dryRun ? ', dry run' : ''}. Schedule: <code>{p.schedule.cron}</code> ({p.schedule.timezone}).{' '}
          <a href={href('savings', id)}>Savings of {p.displayName}</a>{' '}
          {p.status === 'published' && (
            <button type="button" onClick={() => void resync()}>
              Re-sync now
            </button>
          )}
        </p>
      )}
      <nav class="tabs" aria-label="Profile pages">
        {TABS.map(([key, label]) => (
          <a href={href('profiles', id, key)} aria-current={props.tab === key ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {props.tab === 'rules' && <RulesPage profileId={id} />}
      {props.tab === 'exclusions' && <ExclusionsPage profileId={id} />}
      {props.tab === 'candidates' && <CandidatesPage profileId={id} />}
      {props.tab === 'unrecognized' && <UnrecognizedPage profileId={id} />}
      {props.tab === 'jobs' && <JobHistoryPage profileId={id} highlightRunId={runId} />}
      {props.tab === 'consumption' && <ConsumptionPage profileId={id} />}
      {props.tab === 'prices' && <PricesPage profileId={id} />}
    </>
  );
}
