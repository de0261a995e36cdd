import type { StoredRole } from './schemas.js';

/** Seeded into config/roles.json; the dashboard's role editor builds on these. */
export const DEFAULT_ROLES: StoredRole[] = [
  { id: 'admin', description: 'Everything, including users and roles.', permissions: ['*'] },
  {
    id: 'operator',
    description: 'Manages models; creates projects (and owns those); reads settings and metrics.',
    permissions: ['models:read', 'models:write', 'projects:read', 'projects:write', 'usage:read', 'settings:read', 'metrics:read'],
  },
  {
    id: 'viewer',
    description: 'Reads models, settings and metrics; sees the projects it is a member of.',
    permissions: ['models:read', 'projects:read', 'usage:read', 'settings:read', 'metrics:read'],
  },
];

/**
 * The roles that always exist. None can be deleted. `operator` and `viewer` may be edited
 * (their permissions and description); `admin` keeps `*` forever, so that there is always a
 * role that can undo any mistake, and only its description may change.
 */
export const BUILT_IN_ROLE_IDS: ReadonlySet<string> = new Set(DEFAULT_ROLES.map((role) => role.id));
export const ADMIN_ROLE_ID = 'admin';

export function allows(role: StoredRole | undefined, permission: string): boolean {
  return role !== undefined && (role.permissions.includes('*') || role.permissions.includes(permission));
}

/** Whether a role holds `*`: sees and changes everything, every project included. */
export function isFullAccess(role: StoredRole | undefined): boolean {
  return role !== undefined && role.permissions.includes('*');
}

/**
 * Whether a holder of `granter` may hand out (or take away) `permissions`: only what it holds
 * itself, and `*` only with `*`. Without this, `users:write` alone could make anyone admin.
 */
export function covers(granter: StoredRole | undefined, permissions: readonly string[]): boolean {
  if (granter === undefined) return false;
  if (isFullAccess(granter)) return true;
  return permissions.every((permission) => permission !== '*' && granter.permissions.includes(permission));
}

/**
 * The roles as the gateway uses them: the stored ones, plus any built-in missing from the file,
 * with `admin` always holding `*` whatever a hand edit left in config/roles.json.
 */
export function effectiveRoles(stored: readonly StoredRole[]): StoredRole[] {
  const roles = stored.map((role) => (role.id === ADMIN_ROLE_ID && !role.permissions.includes('*') ? { ...role, permissions: ['*', ...role.permissions] } : role));
  for (const builtIn of DEFAULT_ROLES) {
    if (!roles.some((role) => role.id === builtIn.id)) roles.push(builtIn);
  }
  return roles;
}
