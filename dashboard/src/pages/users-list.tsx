import { useState } from 'preact/hooks';
import { del, post, put } from '../api';
import { useCan, useSession } from '../session';
import { Card, Dialog, ErrorNote, Field, SelectField, Table } from '../ui/components';
import { time } from '../ui/format';
import { DeleteForm, SectionHead, SubmitFooter, useSectionAction, useSubmit } from './admin-section';
import { canManageRole, covers, type Role, type User } from './roles-access';

type Action = { kind: 'add' } | { kind: 'role' | 'password' | 'delete'; user: User };

/**
 * The users table. With users:write: add, change role, reset password, disable or enable, and
 * delete; but only on users whose role the signed-in user could grant, and only offering such
 * roles (the server refuses the rest, src/management/users.ts).
 */
export function UsersSection(props: { users: User[]; roles: Role[]; reload: () => void }) {
  const { can, me } = useCan();
  const session = useSession();
  const { action, notice, setNotice, open, close, finish } = useSectionAction<Action>();
  const [error, setError] = useState<unknown>();
  const writable = can('users:write');
  const grantable = props.roles.filter((role) => covers(me, role.permissions));
  const manageable = (user: User) => writable && canManageRole(me, props.roles, user.role);

  /** After a change: reload the lists, and one's own session if the change was to oneself. */
  const done = (message: string, user?: User) => {
    finish(message);
    props.reload();
    if (user?.id === me.user.id) void session.refresh();
  };

  async function toggle(user: User) {
    setError(undefined);
    setNotice('');
    try {
      await put(`/api/users/${encodeURIComponent(user.id)}`, { disabled: !user.disabled });
      done(`${user.email} is ${user.disabled ? 'enabled' : 'disabled'}.`, user);
    } catch (caught) {
      setError(caught);
    }
  }

  const columns = [
    { label: 'Email', cell: (user: User) => (user.id === me.user.id ? <>{user.email} <span class="muted">(you)</span></> : user.email) },
    { label: 'Role', cell: (user: User) => user.role },
    { label: 'Status', cell: (user: User) => (user.disabled ? <span class="badge bad">disabled</span> : <span class="badge ok">active</span>) },
    { label: 'Created', cell: (user: User) => time(user.createdAt) },
  ];
  if (writable) {
    columns.push({
      label: 'Actions',
      cell: (user: User) =>
        manageable(user) ? (
          <div class="row table-actions">
            <button type="button" onClick={() => open({ kind: 'role', user })}>
              Change role
            </button>
            <button type="button" onClick={() => open({ kind: 'password', user })}>
              Reset password
            </button>
            <button type="button" onClick={() => void toggle(user)}>
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
            <button type="button" class="danger" onClick={() => open({ kind: 'delete', user })}>
              Delete
            </button>
          </div>
        ) : (
          <span class="muted">Their role holds permissions yours does not.</span>
        ),
    });
  }

  return (
    <Card>
      <SectionHead title="Users" action="Add user" writable={writable} onAction={() => open({ kind: 'add' })} />
      <ErrorNote error={error} />
      {notice && <p role="status">{notice}</p>}
      <Table columns={columns} rows={props.users} rowKey={(user) => user.id} empty="No users." />
      <Dialog title="Add user" open={action?.kind === 'add'} onClose={close}>
        <AddUser roles={grantable} onDone={(user) => done(`Added ${user.email} as ${user.role}.`)} />
      </Dialog>
      {action && action.kind !== 'add' && (
        <Dialog
          title={action.kind === 'role' ? `Change the role of ${action.user.email}` : action.kind === 'password' ? `Reset the password of ${action.user.email}` : `Delete ${action.user.email}?`}
          open
          onClose={close}
        >
          {action.kind === 'role' && <ChangeRole user={action.user} roles={grantable} onDone={(role) => done(`${action.user.email} is now ${role}.`, action.user)} />}
          {action.kind === 'password' && <ResetPassword user={action.user} onDone={() => done(`The password of ${action.user.email} is reset; their sessions have ended.`, action.user)} />}
          {action.kind === 'delete' && (
            <DeleteForm remove={() => del(`/api/users/${encodeURIComponent(action.user.id)}`)} onCancel={close} onDone={() => done(`Deleted ${action.user.email}.`)}>
              {action.user.email} can no longer sign in, and leaves every project they were a member of. This cannot be undone.
            </DeleteForm>
          )}
        </Dialog>
      )}
    </Card>
  );
}

function roleOptions(roles: Role[]) {
  return roles.map((role) => ({ value: role.id, label: role.description ? `${role.id}: ${role.description}` : role.id }));
}

function AddUser(props: { roles: Role[]; onDone: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState(props.roles.find((r) => r.id === 'viewer')?.id ?? props.roles[0]?.id ?? '');
  const [error, busy, submit] = useSubmit();
  return (
    <form
      class="form"
      onSubmit={submit(async () => {
        const user = await post<User>('/api/users', { email: email.trim(), password, role });
        props.onDone(user);
      })}
    >
      <Field label="Email" type="email" autoComplete="off" required value={email} onValue={setEmail} />
      <Field label="Password" type="password" autoComplete="new-password" minLength={8} required value={password} onValue={setPassword} hint="At least 8 characters." />
      <SelectField label="Role" value={role} onValue={setRole} options={roleOptions(props.roles)} />
      <SubmitFooter error={error} busy={busy} disabled={!role} />
    </form>
  );
}

function ChangeRole(props: { user: User; roles: Role[]; onDone: (role: string) => void }) {
  const [role, setRole] = useState(props.user.role);
  const [error, busy, submit] = useSubmit();
  return (
    <form
      class="form"
      onSubmit={submit(async () => {
        await put(`/api/users/${encodeURIComponent(props.user.id)}`, { role });
        props.onDone(role);
      })}
    >
      <SelectField label="Role" value={role} onValue={setRole} options={roleOptions(props.roles)} />
      <p class="hint">A new role ends the user’s sessions: they sign in again.</p>
      <SubmitFooter error={error} busy={busy} disabled={role === props.user.role} />
    </form>
  );
}

function ResetPassword(props: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [error, busy, submit] = useSubmit();
  return (
    <form
      class="form"
      onSubmit={submit(async () => {
        await put(`/api/users/${encodeURIComponent(props.user.id)}`, { password });
        props.onDone();
      })}
    >
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        minLength={8}
        required
        value={password}
        onValue={setPassword}
        hint="At least 8 characters. Every session of this user ends."
      />
      <SubmitFooter error={error} busy={busy} />
    </form>
  );
}
