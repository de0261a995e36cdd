import { get } from '../api';
import { setQuery, useLocation } from '../router';
import { useCan } from '../session';
import { ErrorNote, Link, Page, useApi } from '../ui/components';
import type { Role, User } from './roles-access';
import { RolesSection } from './roles-list';
import { UsersSection } from './users-list';
import './users.css';

const TABS = [
  { id: 'users', label: 'Users' },
  { id: 'roles', label: 'Roles' },
] as const;

/**
 * /users (users:read): the users and, on a second tab, the roles they hold. Both tabs need both
 * lists: the users' role pickers offer the roles, and a role shows how many users hold it.
 */
export function UsersPage() {
  const { can } = useCan();
  const { query } = useLocation();
  const tab = query.get('tab') === 'roles' ? 'roles' : 'users';
  const users = useApi((signal) => get<{ users: User[] }>('/api/users', undefined, signal), []);
  const roles = useApi((signal) => get<{ roles: Role[] }>('/api/roles', undefined, signal), []);
  const reload = () => {
    users.reload();
    roles.reload();
  };

  return (
    <Page title="Users" actions={can('audit:read') ? <Link to="/audit">Audit log</Link> : undefined}>
      <div class="tabs" role="tablist" aria-label="Users and roles">
        {TABS.map((item) => (
          <button
            type="button"
            role="tab"
            id={`tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls={`panel-${item.id}`}
            onClick={() => setQuery({ tab: item.id === 'users' ? undefined : item.id })}
          >
            {item.label}
          </button>
        ))}
      </div>
      <ErrorNote error={users.error ?? roles.error} />
      {(users.loading || roles.loading) && !(users.data && roles.data) && (
        <p role="status" aria-busy="true">
          Loading…
        </p>
      )}
      {users.data && roles.data && (
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === 'users' ? (
            <UsersSection users={users.data.users} roles={roles.data.roles} reload={reload} />
          ) : (
            <RolesSection roles={roles.data.roles} users={users.data.users} reload={reload} />
          )}
        </div>
      )}
    </Page>
  );
}
