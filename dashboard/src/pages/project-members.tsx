import { useState } from 'preact/hooks';
import { get } from '../api';
import { useCan } from '../session';
import { Card, ErrorNote, Field, SelectField, Table, useApi } from '../ui/components';
import { PROJECT_ROLES, SaveFooter, useDraft, useSaving, type Member, type ProjectRole, type TabProps, type UserSummary } from './project-shapes';

const ROLE_HELP: Record<ProjectRole, string> = {
  viewer: 'reads the project, its route preview and its usage',
  editor: 'also changes tokens, budgets, limits, routing, aliases and settings',
  owner: 'also the model pool and the members, and deletes the project',
};

/**
 * Who may see and change the project besides full-access users (owners only). Members are
 * edited here and written together with Save (PUT members).
 */
export function MembersTab({ project, save, mayOwn }: TabProps) {
  const { can, me } = useCan();
  const mayListUsers = can('users:read');
  const users = useApi((signal) => (mayListUsers ? get<{ users: UserSummary[] }>('/api/users', undefined, signal).then((a) => a.users) : Promise.resolve(undefined)), [mayListUsers]);
  const [members, setMembers] = useDraft(project, (p) => p.members);
  const saving = useSaving();
  const [newUser, setNewUser] = useState('');
  const [newRole, setNewRole] = useState<ProjectRole>('viewer');
  const [addError, setAddError] = useState<unknown>();

  const who = (userId: string) => users.data?.find((u) => u.id === userId)?.email ?? userId;
  const candidates = (users.data ?? []).filter((u) => !members.some((m) => m.userId === u.id));
  const self = members.find((m) => m.userId === me.user.id);
  const losingAccess = !me.fullAccess && (self === undefined || self.role !== 'owner');

  function add(event: Event) {
    event.preventDefault();
    const userId = (newUser || candidates[0]?.id || '').trim();
    setAddError(undefined);
    if (!userId) return setAddError(new Error('Choose a user to add'));
    if (members.some((m) => m.userId === userId)) return setAddError(new Error(`${who(userId)} is already a member`));
    setMembers([...members, { userId, role: newRole }]);
    setNewUser('');
  }

  async function submit(event: Event) {
    event.preventDefault();
    await saving.run(() => save({ members }));
  }

  const setRole = (userId: string, role: ProjectRole) => setMembers(members.map((m) => (m.userId === userId ? { ...m, role } : m)));

  return (
    <Card title="Members">
      <p class="hint">
        Full-access users (admins) reach every project without being members. A viewer {ROLE_HELP.viewer}; an editor {ROLE_HELP.editor}; an owner {ROLE_HELP.owner}.
      </p>
      <ErrorNote error={users.error} />
      <form class="form" onSubmit={submit}>
        <Table
          rows={members}
          rowKey={(m) => m.userId}
          empty="No members: only full-access users reach this project."
          columns={[
            {
              label: 'User',
              cell: (m: Member) => (
                <>
                  {who(m.userId)}
                  {m.userId === me.user.id && <span class="badge">you</span>}
                </>
              ),
            },
            {
              label: 'Role',
              cell: (m: Member) =>
                mayOwn ? (
                  <select aria-label={`Role of ${who(m.userId)}`} value={m.role} onChange={(event) => setRole(m.userId, event.currentTarget.value as ProjectRole)}>
                    {PROJECT_ROLES.map((role) => (
                      <option value={role}>{role}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                ),
            },
            ...(mayOwn
              ? [
                  {
                    label: 'Actions',
                    cell: (m: Member) => (
                      <button type="button" class="danger" aria-label={`Remove ${who(m.userId)}`} onClick={() => setMembers(members.filter((x) => x.userId !== m.userId))}>
                        Remove
                      </button>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {mayOwn && losingAccess && (
          <p class="hint" role="status">
            Saved like this, you are no longer an owner of this project: you will not be able to change its members afterwards.
          </p>
        )}
        <SaveFooter saving={saving} maySave={mayOwn} />
      </form>
      {mayOwn && (
        <form class="form add-member" onSubmit={add}>
          <h3>Add a member</h3>
          <div class="row">
            {users.data ? (
              <SelectField
                label="User"
                value={newUser || candidates[0]?.id || ''}
                onValue={setNewUser}
                options={candidates.length ? candidates.map((u) => ({ value: u.id, label: u.disabled ? `${u.email} (disabled)` : u.email })) : [{ value: '', label: 'Every user is a member' }]}
              />
            ) : (
              <Field label="User id" value={newUser} onValue={setNewUser} autoComplete="off" hint="Your role cannot list users: ask for the id (it starts with usr_)." />
            )}
            <SelectField label="Role" value={newRole} onValue={(role) => setNewRole(role as ProjectRole)} options={PROJECT_ROLES} />
            <button type="submit">Add member</button>
          </div>
          <ErrorNote error={addError} />
          <p class="hint">Then Save to give them access.</p>
        </form>
      )}
    </Card>
  );
}
