/**
 * The console's frame: asks the server who is logged in (the session cookie), shows the login form
 * when nobody is, else the navigation and the page the hash names.
 */
import { useEffect, useRef } from 'preact/hooks';
import { get } from './api.js';
import { sessionSchema, type Session } from './schemas.js';
import { href, useRoute } from './route.js';
import { useLoad } from './useLoad.js';
import { LoginPage } from './pages/LoginPage.js';
import { SetupWizard } from './pages/SetupWizard.js';
import { ProfilesPage } from './pages/ProfilesPage.js';
import { ProfilePage } from './pages/ProfilePage.js';
import { SavingsPage } from './pages/SavingsPage.js';

function Page(props: { route: string[]; session: Session }) {
  const [first, id, tab] = props.route;
  if (first === 'setup') return <SetupWizard session={props.session} />;
  if (first === 'profiles' && id)
    return <ProfilePage profileId={id} tab={tab ?? 'candidates'} session={props.session} />;
  if (first === 'savings') return <SavingsPage profileId={id} session={props.session} />;
  return <ProfilesPage session={props.session} />;
}

export function App() {
  const route = useRoute();
  const session = useLoad(() => get('/admin/session', sessionSchema), []);
  const main = useRef<HTMLElement>(null);
  const path = route.join('/');
  const first = useRef(true);
  useEffect(() => {
    // A new page moves focus to its content, so keyboard and screen reader users start there.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [path]);
  if (session.loading && !session.data) return <p role="status">Loading…</p>;
  if (!session.data) return <LoginPage />;
  const s = session.data;
  const current = route[0] ?? 'profiles';
  const link = (to: string, label: string) => (
    <a href={href(to)} aria-current={current === to ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <span class="brand">seatwise</span>
        <nav aria-label="Console">
          {link('setup', 'Setup')}
          {link('profiles', 'Profiles')}
          {link('savings', 'Savings')}
          <a id="queues-link" href="/admin/queues">
            Queues (Bull Board)
          </a>
        </nav>
        <span id="who">
          {s.name} ({s.role})
        </span>
        <form id="logout-form" method="post" action="/admin/logout">
          <button type="submit">Log out</button>
        </form>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Page route={route} session={s} />
      </main>
    </>
  );
}
