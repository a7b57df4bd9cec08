// The admin pages: a thin client of the public API. Data is rendered with textContent only.
// Authentication is the session cookie set by the login form (POST /admin/login): this script never
// sees a token, and the cookie (HttpOnly) is out of its reach.
const api = '/api/v1';
const state = { who: null };

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'onclick') node.addEventListener('click', v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
}

function say(message, kind = '') {
  const status = $('status');
  status.textContent = message;
  status.className = kind;
}

async function call(method, path, body) {
  const res = await fetch(`${api}${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(data?.detail ?? data?.title ?? `HTTP ${res.status}`);
  return data;
}

function table(headers, rows) {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

function action(label, run) {
  return el(
    'button',
    {
      type: 'button',
      onclick: async () => {
        try {
          say(`${label}…`);
          await run();
          say(`${label}: done`, 'ok');
          await route();
        } catch (error) {
          say(`${label}: ${error.message}`, 'error');
        }
      },
    },
    label,
  );
}

async function profilesPage(main) {
  const page = await call('GET', '/profiles?limit=200&sort=displayName');
  main.append(
    el('h2', {}, `Integration profiles (${page.total})`),
    table(
      ['Profile', 'Status', 'Last validation', 'Actions'],
      page.items.map((p) => [
        el('a', { href: `#/profiles/${p.id}` }, p.displayName),
        p.status,
        p.lastValidation ? (p.lastValidation.ok ? 'passed' : 'failed') : 'never',
        el(
          'span',
          {},
          action('Validate', () => call('POST', `/profiles/${p.id}/validate`, {})),
          action('Publish', () => call('POST', `/profiles/${p.id}/publish`, {})),
          action('Re-sync', () => call('POST', `/profiles/${p.id}/sync`, {})),
          action('Pause', () => call('POST', `/profiles/${p.id}/pause`, {})),
        ),
      ]),
    ),
  );
}

async function profilePage(main, id) {
  const [profile, runs, models, candidates, approved, unrecognized] = await Promise.all([
    call('GET', `/profiles/${id}`),
    call('GET', `/profiles/${id}/runs?limit=20`),
    call('GET', `/profiles/${id}/software-models?limit=100&sort=-assignedCount`),
    call('GET', `/profiles/${id}/removal-candidates?limit=100&status=pending&sort=username`),
    call('GET', `/profiles/${id}/removal-candidates?limit=100&status=ready&sort=username`),
    call('GET', `/profiles/${id}/unrecognized-identifiers?limit=100&status=open`),
  ]);
  const checks = profile.lastValidation?.checks ?? [];
  const chosen = new Set();
  const chosenApproved = new Set();
  const stop = profile.reclaimStop;
  main.append(
    el('h2', {}, `${profile.displayName} — ${profile.status}`),
    el('h3', {}, 'Reclaim'),
    el(
      'p',
      {},
      stop
        ? `Stopped by ${stop.by} at ${stop.at}${stop.reason ? ` (${stop.reason})` : ''}: no write is sent.`
        : 'Running: approved candidates are reclaimed on the next run.',
    ),
    stop
      ? action('Resume reclaim', () => call('POST', `/profiles/${id}/reclaim/resume`, {}))
      : action('Stop reclaim', () => call('POST', `/profiles/${id}/reclaim/stop`, {})),
    el('h3', {}, 'Last validation'),
    table(
      ['Check', 'Result', 'Detail'],
      checks.map((c) => [c.name, c.ok ? 'ok' : 'FAILED', c.detail ?? '']),
    ),
    el('h3', {}, 'Job history'),
    table(
      ['Job', 'Trigger', 'Status', 'Queued', 'Finished', 'Records', 'API calls', 'Error'],
      runs.items.map((r) => [
        r.jobName,
        r.trigger,
        r.status,
        r.queuedAt,
        r.finishedAt ?? '',
        r.counts?.records ?? 0,
        r.counts?.apiCalls ?? 0,
        r.error?.message ?? '',
      ]),
    ),
    el('h3', {}, 'Software models'),
    table(
      ['Product', 'Identifier', 'Type', 'Assigned', 'Used / total'],
      models.items.map((m) => [
        m.product,
        m.identifier,
        m.licenseType,
        m.assignedCount,
        `${m.usedLicenses ?? '–'} / ${m.totalLicenses ?? '–'}`,
      ]),
    ),
    el('h3', {}, `Removal candidates awaiting approval (${candidates.total})`),
    table(
      ['', 'User', 'License', 'Days inactive', 'Action'],
      candidates.items.map((c) => [
        el('input', {
          type: 'checkbox',
          'data-id': c.id,
          onclick: (e) => (e.target.checked ? chosen.add(c.id) : chosen.delete(c.id)),
        }),
        c.username,
        c.identifier,
        c.evidence?.daysInactive ?? '',
        c.action,
      ]),
    ),
    action('Approve selected', () =>
      call('POST', `/profiles/${id}/removal-candidates/decisions`, { decision: 'approve', ids: [...chosen] }),
    ),
    action('Reject selected', () =>
      call('POST', `/profiles/${id}/removal-candidates/decisions`, { decision: 'reject', ids: [...chosen] }),
    ),
    el('h3', {}, `Approved, not yet reclaimed (${approved.total})`),
    table(
      ['', 'User', 'License', 'Action', 'Approved by', 'Rule revision'],
      approved.items.map((c) => [
        el('input', {
          type: 'checkbox',
          'data-id': c.id,
          onclick: (e) => (e.target.checked ? chosenApproved.add(c.id) : chosenApproved.delete(c.id)),
        }),
        c.username,
        c.identifier,
        c.action,
        c.approval?.by ?? '',
        c.approval?.ruleRevision ?? '',
      ]),
    ),
    action('Withdraw selected', () =>
      call('POST', `/profiles/${id}/removal-candidates/decisions`, {
        decision: 'withdraw',
        ids: [...chosenApproved],
      }),
    ),
    el('h3', {}, `Unrecognized identifiers (${unrecognized.total})`),
    table(
      ['Identifier', 'Label', 'Subscriptions'],
      unrecognized.items.map((u) => [u.identifier, u.label, u.subscriptionCount]),
    ),
  );
}

async function route() {
  const main = $('main');
  main.replaceChildren();
  if (!state.who) {
    main.append(el('p', { class: 'muted' }, 'Log in with an API token to begin.'));
    return;
  }
  const match = /^#\/profiles\/([a-f0-9]{24})$/.exec(location.hash);
  try {
    if (match) await profilePage(main, match[1]);
    else await profilesPage(main);
  } catch (error) {
    say(error.message, 'error');
  }
}

async function start() {
  const res = await fetch('/admin/session', { credentials: 'same-origin' });
  state.who = res.ok ? await res.json() : null;
  $('login-form').hidden = Boolean(state.who);
  $('logout-form').hidden = !state.who;
  $('who').textContent = state.who ? `${state.who.name} (${state.who.role})` : '';
  if (new URLSearchParams(location.search).get('login') === 'failed' && !state.who) {
    say('That token is not known.', 'error');
  }
  await route();
}

window.addEventListener('hashchange', () => void route());
void start();
