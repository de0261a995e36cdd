import type { Me } from '../session';
// GET /api/roles and GET /api/users answer with the server's own types, type-only (erased at build).
import type { z } from 'zod';
import type { PublicRole } from '../../../src/config/schemas.js';
import type { publicUser } from '../../../src/management/users.js';

/** What GET /api/roles shows of a role. */
export type Role = z.infer<typeof PublicRole>;

/** What GET /api/users shows of a user: never the password hash or the session version. */
export type User = ReturnType<typeof publicUser>;

/**
 * Every permission a role may hold, in the order of PERMISSIONS in src/config/schemas.ts (the
 * dashboard does not bundle the server's schemas), with what each allows.
 */
export const PERMISSIONS: { id: string; label: string }[] = [
  { id: '*', label: 'Everything, now and later: every project, user and setting (admin)' },
  { id: 'models:read', label: 'Read models' },
  { id: 'models:write', label: 'Add, change and delete models' },
  { id: 'projects:read', label: 'Read the projects one is a member of' },
  { id: 'projects:write', label: 'Create projects (and own them)' },
  { id: 'users:read', label: 'Read users and roles' },
  { id: 'users:write', label: 'Add, change and delete users and roles' },
  { id: 'usage:read', label: 'Read usage, logs and costs' },
  { id: 'settings:read', label: 'Read gateway settings' },
  { id: 'settings:write', label: 'Change gateway settings' },
  { id: 'metrics:read', label: 'Read Prometheus metrics' },
  { id: 'audit:read', label: 'Read the audit log' },
];

/** The role that always holds `*`: only its description may change (src/config/roles.ts). */
export const ADMIN_ROLE_ID = 'admin';

/**
 * Whether the signed-in user may grant or take away `permissions`, as the server's `covers`
 * (src/config/roles.ts): only what their role holds, and `*` only with `*`. The server decides;
 * this only hides what it would refuse.
 */
export function covers(me: Me, permissions: readonly string[]): boolean {
  if (me.permissions.includes('*')) return true;
  return permissions.every((permission) => permission !== '*' && me.permissions.includes(permission));
}

/** Whether the signed-in user may act on users holding `roleId` (a role gone from the list grants nothing, as on the server). */
export function canManageRole(me: Me, roles: Role[], roleId: string): boolean {
  const role = roles.find((r) => r.id === roleId);
  return covers(me, role?.permissions ?? []);
}
