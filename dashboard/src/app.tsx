import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, onSignedOut, setCsrfToken } from './api';
import { AccountPage } from './pages/account';
import { AuditPage } from './pages/audit';
import { CallPage, LogsPage } from './pages/logs';
import { ModelEditPage, ModelsPage } from './pages/models';
import { OverviewPage } from './pages/overview';
import { PlaygroundPage } from './pages/playground';
import { ProjectPage, ProjectsPage } from './pages/projects';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import { UsagePage } from './pages/usage';
import { UsersPage } from './pages/users';
import { match, navigate, useLocation } from './router';
import { can, SessionContext, type Me, type Session } from './session';
import { ErrorNote, Link } from './ui/components';
import { ThemeToggle } from './ui/theme';

interface Route {
  pattern: string;
  render: (params: Record<string, string>) => ComponentChildren;
  /** The permission the page needs; its nav link is hidden without it. */
  permission?: string;
}

const ROUTES: Route[] = [
  { pattern: '/', render: () => <OverviewPage />, permission: 'usage:read' },
  { pattern: '/models', render: () => <ModelsPage />, permission: 'models:read' },
  { pattern: '/models/new', render: () => <ModelEditPage />, permission: 'models:write' },
  { pattern: '/models/:id', render: (p) => <ModelEditPage id={p.id} />, permission: 'models:read' },
  { pattern: '/projects', render: () => <ProjectsPage />, permission: 'projects:read' },
  { pattern: '/projects/:id', render: (p) => <ProjectPage id={p.id!} />, permission: 'projects:read' },
  { pattern: '/usage', render: () => <UsagePage />, permission: 'usage:read' },
  { pattern: '/logs', render: () => <LogsPage />, permission: 'usage:read' },
  { pattern: '/logs/:requestId', render: (p) => <CallPage requestId={p.requestId!} />, permission: 'usage:read' },
  { pattern: '/playground', render: () => <PlaygroundPage />, permission: 'projects:read' },
  { pattern: '/users', render: () => <UsersPage />, permission: 'users:read' },
  { pattern: '/audit', render: () => <AuditPage />, permission: 'audit:read' },
  { pattern: '/settings', render: () => <SettingsPage />, permission: 'settings:read' },
  { pattern: '/account', render: () => <AccountPage /> },
];

/** The main navigation, in the order the issue names it. */
const NAV: { label: string; path: string; permission: string }[] = [
  { label: 'Overview', path: '/', permission: 'usage:read' },
  { label: 'Models', path: '/models', permission: 'models:read' },
  { label: 'Projects', path: '/projects', permission: 'projects:read' },
  { label: 'Usage', path: '/usage', permission: 'usage:read' },
  { label: 'Logs', path: '/logs', permission: 'usage:read' },
  { label: 'Playground', path: '/playground', permission: 'projects:read' },
  { label: 'Users', path: '/users', permission: 'users:read' },
  { label: 'Settings', path: '/settings', permission: 'settings:read' },
];

type State = { kind: 'loading' } | { kind: 'signed-out'; firstRun: boolean } | { kind: 'signed-in'; me: Me } | { kind: 'failed'; error: unknown };

async function loadState(): Promise<State> {
  try {
    const me = await api<Me>('GET', '/api/auth/me', undefined, { expectUnauthorized: true });
    setCsrfToken(me.csrfToken);
    return { kind: 'signed-in', me };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) return { kind: 'failed', error };
    setCsrfToken(undefined);
    const setup = await api<{ needed: boolean }>('GET', '/api/setup');
    return { kind: 'signed-out', firstRun: setup.needed };
  }
}

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const reload = () => loadState().then(setState, (error: unknown) => setState({ kind: 'failed', error }));
  useEffect(() => {
    void reload();
    return onSignedOut(() => setState((current) => (current.kind === 'signed-in' ? { kind: 'signed-out', firstRun: false } : current)));
  }, []);

  if (state.kind === 'loading') return <p class="loading" aria-busy="true">Loading…</p>;
  if (state.kind === 'failed') {
    return (
      <main class="sign-in">
        <div class="card">
          <h1>Routerly</h1>
          <ErrorNote error={state.error} />
          <button type="button" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (state.kind === 'signed-out') return <SignInPage firstRun={state.firstRun} onSignedIn={() => void reload()} />;
  return <Shell me={state.me} refresh={reload} signedOut={() => setState({ kind: 'signed-out', firstRun: false })} />;
}

function Shell(props: { me: Me; refresh: () => Promise<void>; signedOut: () => void }) {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const session = useMemo<Session>(
    () => ({
      me: props.me,
      refresh: props.refresh,
      signOut: async () => {
        try {
          await api('POST', '/api/auth/logout', {});
        } finally {
          setCsrfToken(undefined);
          navigate('/', { replace: true });
          props.signedOut();
        }
      },
    }),
    [props.me],
  );
  const links = NAV.filter((item) => can(props.me, item.permission));
  const found = ROUTES.map((route) => ({ route, params: match(route.pattern, path) })).find((candidate) => candidate.params !== null);
  // The overview needs usage:read; a user without it starts on the first page they may open.
  useEffect(() => {
    if (path === '/' && !can(props.me, 'usage:read') && links[0]) navigate(links[0].path, { replace: true });
  }, [path]);
  useEffect(() => setMenuOpen(false), [path]);

  let content: ComponentChildren;
  if (!found) content = <NotFound />;
  else if (found.route.permission && !can(props.me, found.route.permission)) content = <Forbidden />;
  else content = found.route.render(found.params!);

  const current = (item: { path: string }) => (item.path === '/' ? path === '/' : path === item.path || path.startsWith(item.path + '/'));
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <div class="layout">
        <header class="topbar">
          <button type="button" class="ghost menu-button" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
            Menu
          </button>
          <Link to="/" class="brand">
            Routerly
          </Link>
          <div class="topbar-end">
            <ThemeToggle />
            <Link to="/account" class="account-link">
              {props.me.user.email}
            </Link>
            <button type="button" class="ghost" onClick={() => void session.signOut()}>
              Log out
            </button>
          </div>
        </header>
        <nav id="main-nav" aria-label="Main" class={menuOpen ? 'open' : undefined}>
          <ul>
            {links.map((item) => (
              <li>
                <Link to={item.path} aria-current={current(item) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {content}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        No page here. <Link to="/">Go to the overview</Link>.
      </p>
    </section>
  );
}

function Forbidden() {
  return (
    <section class="page">
      <h1>Not allowed</h1>
      <p>Your role does not allow this page. Ask an admin if you need it.</p>
    </section>
  );
}
