import type { StoredRole } from './schemas.js';

/** Seeded into config/roles.json; the dashboard's role editor builds on these. */
export const DEFAULT_ROLES: StoredRole[] = [
  { id: 'admin', description: 'Everything, including users and roles.', permissions: ['*'] },
  {
    id: 'operator',
    description: 'Manages models and projects; reads usage.',
    permissions: ['models:read', 'models:write', 'projects:read', 'projects:write', 'usage:read', 'settings:read', 'metrics:read'],
  },
  {
    id: 'viewer',
    description: 'Reads everything, changes nothing.',
    permissions: ['models:read', 'projects:read', 'usage:read', 'settings:read', 'metrics:read'],
  },
];

export function allows(role: StoredRole | undefined, permission: string): boolean {
  return role !== undefined && (role.permissions.includes('*') || role.permissions.includes(permission));
}
