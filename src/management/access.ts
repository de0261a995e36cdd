import type { Context, MiddlewareHandler } from 'hono';
import { isFullAccess } from '../config/roles.js';
import { PROJECT_ROLES, type ProjectRole, type StoredProject, type StoredRole } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { requirePermission } from './session.js';

/**
 * Who may see and change which project.
 *
 * - A user whose role holds `*` (admin) sees and changes every project.
 * - Anyone else sees only the projects they are a member of, and acts on each within their
 *   membership role: `viewer` reads the project, its route-preview and its usage; `editor`
 *   also changes its tokens, budgets, limits, routing, aliases, name and other settings;
 *   `owner` also its model pool (`models`), its `members`, and deletes it.
 * - Role permissions do not widen this: `projects:read` or `usage:read` without `*` shows no
 *   project one is not a member of. Creating a project takes `projects:write`, and a
 *   creator without `*` becomes its owner.
 *
 * A project one may not see answers 404, exactly like a missing one, so ids cannot be probed;
 * one that is visible but needs a higher membership role answers 403.
 */

const RANK: Record<ProjectRole, number> = Object.fromEntries(PROJECT_ROLES.map((role, i) => [role, i + 1])) as Record<ProjectRole, number>;

/** Project fields only an owner may change; an editor may send them only unchanged. */
export const OWNER_ONLY_FIELDS = ['models', 'members'] as const;

/**
 * The signed-in caller's role, read from the current index (inside a config update: as of
 * that update), so a demotion counts at once.
 */
export function callerRole(services: Services, c: Context<AppEnv>): StoredRole | undefined {
  const user = services.config.index.usersById.get(c.get('userId'));
  return user && services.config.index.roles.get(user.role);
}

/** Whether the signed-in caller's role holds `*`. */
export function hasFullAccess(services: Services, c: Context<AppEnv>): boolean {
  return isFullAccess(callerRole(services, c));
}

/**
 * The role the caller acts with on `project`: `owner` for full access, their membership's
 * otherwise, undefined when they are no member.
 */
export function projectRoleOf(services: Services, c: Context<AppEnv>, project: Pick<StoredProject, 'members'>): ProjectRole | undefined {
  if (hasFullAccess(services, c)) return 'owner';
  const userId = c.get('userId');
  return project.members?.find((member) => member.userId === userId)?.role;
}

/**
 * The ids of the projects whose data (the project, its usage) the caller may read, or
 * undefined for all of them (full access). For the usage routes: filter records by it.
 */
export function visibleProjectIds(services: Services, c: Context<AppEnv>): ReadonlySet<string> | undefined {
  if (hasFullAccess(services, c)) return undefined;
  return new Set((services.config.index.membershipsByUser.get(c.get('userId')) ?? []).map((m) => m.project.id));
}

/** Whether the caller may read project `projectId` (and its usage): a missing project is never readable. */
export function canReadProject(services: Services, c: Context<AppEnv>, projectId: string): boolean {
  const project = services.config.index.projects.get(projectId);
  return project !== undefined && projectRoleOf(services, c, project) !== undefined;
}

/**
 * `project` if the caller may act on it as `need`, else 404 (missing, or not theirs to see)
 * or 403 (visible, but their membership role is below `need`). Called inside config updates
 * too, with the project as being changed, so a concurrent membership change cannot slip by.
 */
export function assertProjectAccess(
  services: Services,
  c: Context<AppEnv>,
  id: string,
  project: StoredProject | undefined,
  need: ProjectRole,
): StoredProject {
  const role = project && projectRoleOf(services, c, project);
  if (!project || role === undefined) throw new GatewayError('not_found', `no project "${id}"`);
  if (RANK[role] < RANK[need]) {
    throw new GatewayError('forbidden', `your role on project "${id}" is ${role}: this needs ${need}`);
  }
  return project;
}

/** A signed-in caller who may act as `need` on the project named by the route's `:id`. */
export function requireProjectAccess(services: Services, need: ProjectRole): MiddlewareHandler<AppEnv> {
  const session = requirePermission(services, null);
  return (c, next) =>
    session(c, async () => {
      const id = c.req.param('id') ?? '';
      assertProjectAccess(services, c, id, services.config.index.projects.get(id), need);
      await next();
    });
}
