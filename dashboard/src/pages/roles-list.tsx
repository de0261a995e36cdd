import { useState } from 'preact/hooks';
import { del, post, put } from '../api';
import { useCan, useSession } from '../session';
import { Card, CheckField, Dialog, Field, Table } from '../ui/components';
import { ADMIN_ROLE_ID, covers, PERMISSIONS, type Role, type User } from './roles-access';
import { DeleteForm, SectionHead, SubmitFooter, useSectionAction, useSubmit } from './admin-section';

type Action = { kind: 'new' } | { kind: 'edit' | 'delete'; role: Role };

/**
 * The roles, built-in and custom, with their permissions. With users:write: create, edit and
 * delete custom roles, within the permissions one's own role holds (the server refuses the rest,
 * src/management/role-routes.ts). Built-in roles can be edited but not deleted; admin keeps `*`.
 */
export function RolesSection(props: { roles: Role[]; users: User[]; reload: () => void }) {
  const { can, me } = useCan();
  const session = useSession();
  const { action, notice, open, close, finish } = useSectionAction<Action>();
  const writable = can('users:write');
  const holders = (role: Role) => props.users.filter((user) => user.role === role.id).length;
  const done = (message: string) => {
    finish(message);
    props.reload();
    // A change to one's own role changes what this page (and the nav) may show.
    void session.refresh();
  };

  const columns = [
    {
      label: 'Role',
      cell: (role: Role) => (
        <>
          <span class="mono">{role.id}</span> {role.builtIn && <span class="badge">built in</span>}
        </>
      ),
    },
    { label: 'Description', cell: (role: Role) => role.description || <span class="muted">—</span> },
    {
      label: 'Permissions',
      cell: (role: Role) => (
        <ul class="role-permissions">
          {role.permissions.map((permission) => (
            <li class="badge mono">{permission === '*' ? '* (everything)' : permission}</li>
          ))}
        </ul>
      ),
    },
    { label: 'Users', cell: (role: Role) => String(holders(role)), numeric: true },
  ];
  if (writable) {
    columns.push({
      label: 'Actions',
      cell: (role: Role) =>
        covers(me, role.permissions) ? (
          <div class="row table-actions">
            <button type="button" onClick={() => open({ kind: 'edit', role })}>
              Edit
            </button>
            {!role.builtIn && (
              <button type="button" class="danger" onClick={() => open({ kind: 'delete', role })}>
                Delete
              </button>
            )}
          </div>
        ) : (
          <span class="muted">Holds permissions your role does not.</span>
        ),
    });
  }

  return (
    <Card>
      <SectionHead title="Roles" action="New role" writable={writable} onAction={() => open({ kind: 'new' })} />
      <p class="hint">A role says what its users may do across the gateway. Access to one project comes from its members list, on the project’s page.</p>
      {notice && <p role="status">{notice}</p>}
      <Table columns={columns} rows={props.roles} rowKey={(role) => role.id} empty="No roles." />
      {action && (
        <Dialog title={action.kind === 'new' ? 'New role' : action.kind === 'edit' ? `Edit the role ${action.role.id}` : `Delete the role ${action.role.id}?`} open onClose={close}>
          {action.kind === 'delete' ? (
            <DeleteForm remove={() => del(`/api/roles/${encodeURIComponent(action.role.id)}`)} onCancel={close} onDone={() => done(`Deleted the role ${action.role.id}.`)}>
              {deleteWarning(holders(action.role))}
            </DeleteForm>
          ) : (
            <RoleForm role={action.kind === 'edit' ? action.role : undefined} onDone={(role) => done(`Saved the role ${role.id}.`)} />
          )}
        </Dialog>
      )}
    </Card>
  );
}

function RoleForm(props: { role?: Role; onDone: (role: Role) => void }) {
  const { me } = useCan();
  const editing = props.role !== undefined;
  const isAdmin = props.role?.id === ADMIN_ROLE_ID;
  const [id, setId] = useState(props.role?.id ?? '');
  const [description, setDescription] = useState(props.role?.description ?? '');
  const [permissions, setPermissions] = useState<string[]>(props.role?.permissions ?? []);
  const [error, busy, submit] = useSubmit();
  // Only what one's own role holds can be granted: the rest is not offered.
  const offered = PERMISSIONS.filter((permission) => covers(me, [permission.id]));
  const toggle = (permission: string, on: boolean) =>
    setPermissions((current) => (on ? PERMISSIONS.map((p) => p.id).filter((p) => p === permission || current.includes(p)) : current.filter((p) => p !== permission)));

  const save = submit(async () => {
    // The admin role always holds `*`: only its description may change.
    const body = isAdmin ? { description } : { description, permissions };
    const saved = editing ? await put<Role>(`/api/roles/${encodeURIComponent(id)}`, body) : await post<Role>('/api/roles', { id: id.trim(), ...body });
    props.onDone(saved);
  });

  return (
    <form class="form" onSubmit={save}>
      {!editing && (
        <Field
          label="Role id"
          required
          pattern="[a-z][a-z0-9_\-]*"
          maxLength={64}
          value={id}
          onValue={setId}
          hint="Lowercase letters, digits, _ and -, starting with a letter. It cannot be changed later."
        />
      )}
      <Field label="Description" maxLength={500} value={description} onValue={setDescription} />
      <fieldset>
        <legend>Permissions</legend>
        {isAdmin ? (
          <p class="hint">The admin role always holds every permission (*).</p>
        ) : (
          <div class="role-permission-list">
            {offered.map((permission) => (
              <div>
                <CheckField
                  label={permission.id === '*' ? '* (everything)' : permission.id}
                  checked={permissions.includes(permission.id)}
                  onChecked={(on) => toggle(permission.id, on)}
                />
                <small class="hint">{permission.label}</small>
              </div>
            ))}
          </div>
        )}
      </fieldset>
      {editing && <p class="hint">Users holding this role keep their sessions; the change applies to their next request.</p>}
      <SubmitFooter error={error} busy={busy} />
    </form>
  );
}

/** What deleting a role held by `holders` users means. */
function deleteWarning(holders: number): string {
  return holders > 0 ? `${holders} user${holders === 1 ? ' holds' : 's hold'} this role: give them another role first.` : 'No user holds this role. Deleting it cannot be undone.';
}
