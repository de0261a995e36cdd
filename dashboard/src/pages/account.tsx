import { useState } from 'preact/hooks';
import { api, setCsrfToken } from '../api';
import { useSession } from '../session';
import { Card, ErrorNote, Field, Page } from '../ui/components';

/** One's own account: who and what role, a password change (which ends every other session), log out. */
export function AccountPage() {
  const session = useSession();
  const { me } = session;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);

  async function change(event: Event) {
    event.preventDefault();
    setDone(false);
    if (next !== repeat) return setError(new Error('the two new passwords differ'));
    setError(undefined);
    try {
      // The change ends every session; the answer starts a new one in this browser.
      const answer = await api<{ csrfToken: string }>('PUT', '/api/auth/password', { currentPassword: current, newPassword: next }, { headers: { 'x-routerly-session': 'cookie' }, expectUnauthorized: true });
      setCsrfToken(answer.csrfToken);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <Page title="Account">
      <Card title="Signed in">
        <dl class="facts">
          <dt>Email</dt>
          <dd>{me.user.email}</dd>
          <dt>Role</dt>
          <dd>
            {me.role.id} <small class="muted">{me.role.description}</small>
          </dd>
          <dt>Projects</dt>
          <dd>{me.fullAccess ? 'all (full access)' : me.memberships.map((m) => `${m.projectName} (${m.role})`).join(', ') || 'none'}</dd>
        </dl>
        <button type="button" onClick={() => void session.signOut()}>
          Log out everywhere
        </button>
      </Card>
      <Card title="Change password">
        <form onSubmit={change} class="form narrow">
          <Field label="Current password" type="password" autoComplete="current-password" required value={current} onValue={setCurrent} />
          <Field label="New password" type="password" autoComplete="new-password" minLength={8} required value={next} onValue={setNext} hint="At least 8 characters. Every other session ends." />
          <Field label="Repeat the new password" type="password" autoComplete="new-password" required value={repeat} onValue={setRepeat} />
          <ErrorNote error={error} />
          {done && <p role="status">Password changed. Other sessions have ended.</p>}
          <button type="submit" class="primary">
            Change password
          </button>
        </form>
      </Card>
    </Page>
  );
}
