import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
// A role on one project: the server's own type, type-only (erased at build).
import type { ProjectRole } from '../../src/config/schemas.js';

/** What GET /api/auth/me answers. */
export interface Me {
  user: { id: string; email: string; role: string; createdAt?: string };
  role: { id: string; description: string; permissions: string[] };
  permissions: string[];
  /** The role holds `*`: every project, every user. */
  fullAccess: boolean;
  memberships: { projectId: string; projectName: string; role: ProjectRole }[];
  csrfToken?: string;
}

export type { ProjectRole };
const PROJECT_RANK: Record<ProjectRole, number> = { viewer: 1, editor: 2, owner: 3 };

export interface Session {
  me: Me;
  /** Re-reads /api/auth/me (after a change to one's own role or memberships). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** Whether the signed-in user's role grants `permission` (as src/config/roles.ts `allows`). */
export function can(me: Me, permission: string): boolean {
  return me.permissions.includes('*') || me.permissions.includes(permission);
}

/**
 * Whether the user may act on a project at `level` (src/management/access.ts): full access may
 * do anything; otherwise the membership's role must reach it. Mirrors the server, which decides.
 */
export function canProject(me: Me, projectId: string, level: ProjectRole): boolean {
  if (me.fullAccess) return true;
  const membership = me.memberships.find((m) => m.projectId === projectId);
  return membership !== undefined && PROJECT_RANK[membership.role] >= PROJECT_RANK[level];
}

export function useCan(): { can: (permission: string) => boolean; canProject: (projectId: string, level: ProjectRole) => boolean; me: Me } {
  const { me } = useSession();
  return { me, can: (permission) => can(me, permission), canProject: (projectId, level) => canProject(me, projectId, level) };
}
