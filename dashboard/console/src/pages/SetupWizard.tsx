/**
 * Guided setup for a first-time admin: parent alias, child aliases, profiles, validate, publish.
 * Its state is read from the server every time (aliases and profiles as they are), so the wizard
 * can be left, even for Salesforce's login page, and picks up where things stand.
 */
import { useState } from 'preact/hooks';
import { get, request } from '../api.js';
import {
  aliasSchema,
  pageOf,
  profileSchema,
  startedSchema,
  type Alias,
  type Profile,
  type Session,
} from '../schemas.js';
import { AliasForm } from '../components/AliasForm.js';
import { authorize } from '../components/authorize.js';
import { Notice } from '../components/Notice.js';
import { ProfileForm } from '../components/ProfileForm.js';
import { PublishDialog } from '../components/PublishDialog.js';
import { ValidationChecks } from '../components/ValidationChecks.js';
import { href } from '../route.js';
import { useLoad } from '../useLoad.js';

async function loadSetup(): Promise<{ aliases: Alias[]; profiles: Profile[] }> {
  const [aliases, profiles] = await Promise.all([
    get('/api/v1/aliases?limit=500&sort=createdAt', pageOf(aliasSchema)),
    get('/api/v1/profiles?limit=500&sort=createdAt', pageOf(profileSchema)),
  ]);
  return { aliases: aliases.items, profiles: profiles.items };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Validated after its last change: publishable. */
function validatedNow(p: Profile): boolean {
  return !!p.lastValidation?.ok && p.lastValidation.at >= p.configChangedAt;
}

function Step(props: { n: number; title: string; done: boolean; children: preact.ComponentChildren }) {
  return (
    <section class={`step ${props.done ? 'done' : ''}`} aria-labelledby={`step-${props.n}`}>
      <h2 id={`step-${props.n}`}>
        {props.n}. {props.title} <span class="badge">{props.done ? 'done' : 'to do'}</span>
      </h2>
      {props.children}
    </section>
  );
}

function AliasLine(props: { alias: Alias; onError(m: string): void }) {
  const a = props.alias;
  return (
    <li>
      <strong>{a.name}</strong> —{' '}
      {a.grantType === 'authorization_code' ? 'Authorization Code' : 'Client Credentials'},{' '}
      {a.authStatus === 'authorized' ? `connected to org ${a.orgId ?? ''}` : a.authStatus.replace(/_/g, ' ')}
      {a.authStatus !== 'authorized' && (
        <button type="button" onClick={() => authorize(a).catch((e: Error) => props.onError(e.message))}>
          Authorize {a.name}
        </button>
      )}
    </li>
  );
}

export function SetupWizard(_props: { session: Session }) {
  const setup = useLoad(loadSetup, []);
  const [error, setError] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<Profile | undefined>();
  if (!setup.data)
    return (
      <>
        <Notice error={setup.error} message="Loading the setup…" />
        {setup.error && (
          <button type="button" onClick={() => void setup.reload()}>
            Try again
          </button>
        )}
      </>
    );
  const { aliases, profiles } = setup.data;
  const parent = aliases.find((a) => !a.parentId);
  const children = aliases.filter((a) => a.parentId);
  const free = aliases.filter((a) => a.authStatus === 'authorized' && !a.profileId);
  const drafts = profiles.filter((p) => p.status === 'draft');

  const validate = async (p: Profile) => {
    setBusy(p.id);
    setError(undefined);
    setMessage(`Validating ${p.displayName}: seatwise reads from the org, it changes nothing…`);
    try {
      const { runId } = await request('POST', `/api/v1/profiles/${p.id}/validate`, startedSchema, {});
      for (let i = 0; i < 240; i += 1) {
        const now = await get(`/api/v1/profiles/${p.id}`, profileSchema);
        if (now.lastValidation?.runId === runId) {
          setMessage(`${p.displayName}: validation ${now.lastValidation.ok ? 'passed' : 'failed'}`);
          break;
        }
        await sleep(500);
      }
      await setup.reload();
    } catch (e) {
      setError((e as Error).message);
      setMessage(undefined);
    } finally {
      setBusy(undefined);
    }
  };

  const publish = async (p: Profile) => {
    setConfirming(undefined);
    setBusy(p.id);
    setError(undefined);
    try {
      const { runId } = await request('POST', `/api/v1/profiles/${p.id}/publish`, startedSchema, {});
      setMessage(`${p.displayName} is published: first run ${runId} started.`);
      await setup.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div class="wizard">
      <h1>Set up seatwise</h1>
      <p class="hint">Every step can be left and resumed: this page shows what is already set up.</p>
      <Notice error={error} message={message} />

      <Step n={1} title="Connect the parent org" done={parent?.authStatus === 'authorized'}>
        <p>
          seatwise signs in to Salesforce with a connected app. In Salesforce this step only grants access:
          nothing in the org changes.
        </p>
        {parent ? (
          <ul class="plain">
            <AliasLine alias={parent} onError={setError} />
          </ul>
        ) : (
          <AliasForm formId="parent-alias" onDone={() => void setup.reload()} />
        )}
      </Step>

      <Step
        n={2}
        title="Add child orgs (optional)"
        done={children.length > 0 && children.every((c) => c.authStatus === 'authorized')}
      >
        <p>Further orgs of the same company, each with its own connected app. Again only a sign-in.</p>
        {children.length > 0 && (
          <ul class="plain" aria-label="Child aliases">
            {children.map((c) => (
              <AliasLine alias={c} onError={setError} />
            ))}
          </ul>
        )}
        {parent ? (
          <details>
            <summary>Add a child alias</summary>
            <AliasForm formId="child-alias" parent={parent} onDone={() => void setup.reload()} />
          </details>
        ) : (
          <p>Connect the parent org first.</p>
        )}
      </Step>

      <Step n={3} title="Create profiles" done={profiles.length > 0}>
        <p>
          A profile says what seatwise does with one org: download (reads only), consumption (reads only) and
          reclaim (writes: freezes or deactivates the users you approve).
        </p>
        {profiles.length > 0 && (
          <ul class="plain" aria-label="Profiles">
            {profiles.map((p) => (
              <li>
                <a href={href('profiles', p.id)}>{p.displayName}</a> — {p.status}
                {p.subflows.reclaimSubscriptions ? ', reclaim on' : ', candidates only'}
              </li>
            ))}
          </ul>
        )}
        {free.length > 0 ? (
          <ProfileForm aliases={free} onDone={() => void setup.reload()} />
        ) : (
          <p>
            {aliases.length === 0
              ? 'Connect an org first (step 1).'
              : 'Every connected alias has a profile. Connect another org to add one.'}
          </p>
        )}
      </Step>

      <Step n={4} title="Validate" done={profiles.length > 0 && drafts.every(validatedNow)}>
        <p>seatwise reads from each org what a run needs and checks its permissions. Nothing is written.</p>
        {drafts.length === 0 && <p>No draft profile waits for validation.</p>}
        {drafts.map((p) => (
          <div class="card">
            <h3>{p.displayName}</h3>
            {p.lastValidation && <ValidationChecks validation={p.lastValidation} />}
            <button type="button" disabled={busy === p.id} onClick={() => void validate(p)}>
              Validate {p.displayName}
            </button>
          </div>
        ))}
      </Step>

      <Step n={5} title="Publish" done={profiles.length > 0 && drafts.length === 0}>
        <p>Publishing starts the first run now and then runs on the profile's schedule.</p>
        {profiles.map((p) =>
          p.status === 'draft' ? (
            <div class="card">
              <h3>{p.displayName}</h3>
              {validatedNow(p) ? (
                <button type="button" disabled={busy === p.id} onClick={() => setConfirming(p)}>
                  Publish {p.displayName}
                </button>
              ) : (
                <p>Validate {p.displayName} first (step 4).</p>
              )}
            </div>
          ) : (
            <p>
              {p.displayName} is {p.status}.{' '}
              <a href={href('profiles', p.id, 'jobs')}>Job history of {p.displayName}</a>
            </p>
          ),
        )}
      </Step>
      {confirming && (
        <PublishDialog
          profile={confirming}
          onConfirm={() => void publish(confirming)}
          onCancel={() => setConfirming(undefined)}
        />
      )}
    </div>
  );
}
