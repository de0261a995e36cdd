import { useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api';
import { ErrorNote, Field } from '../ui/components';

/** Asks the API for a cookie session: the answer sets an HttpOnly cookie and hands out only the CSRF token. */
const COOKIE_SESSION = { 'x-routerly-session': 'cookie' };

/**
 * First run (no user yet: create the first admin) or login. Either way the session lives in an
 * HttpOnly cookie; the page keeps only the CSRF token for its writes.
 */
export function SignInPage(props: { firstRun: boolean; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const title = props.firstRun ? 'Create the first admin' : 'Log in to Routerly';

  async function submit(event: Event) {
    event.preventDefault();
    if (props.firstRun && password !== confirm) {
      setError(new Error('the two passwords differ'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{ csrfToken: string }>('POST', props.firstRun ? '/api/setup' : '/api/auth/login', { email, password }, { headers: COOKIE_SESSION, expectUnauthorized: true });
      setCsrfToken(answer.csrfToken);
      props.onSignedIn();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{title}</h1>
        {props.firstRun && <p>This gateway has no users yet. The account you create here is its administrator.</p>}
        <Field label="Email" type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <Field label="Password" type="password" autoComplete={props.firstRun ? 'new-password' : 'current-password'} required minLength={props.firstRun ? 8 : undefined} value={password} onValue={setPassword} />
        {props.firstRun && <Field label="Repeat the password" type="password" autoComplete="new-password" required value={confirm} onValue={setConfirm} />}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {props.firstRun ? 'Create admin' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
