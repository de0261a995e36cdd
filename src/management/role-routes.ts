import { Hono, type Context } from 'hono';
import { ADMIN_ROLE_ID, BUILT_IN_ROLE_IDS, covers } from '../config/roles.js';
import { RoleInput, RoleUpdate, type StoredRole } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { callerRole } from './access.js';
import { assertAdminRemains } from './admins.js';
import { noteForAudit } from './audit.js';
import { requirePermission } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of a role: whether it is built in (cannot be deleted) besides its fields. */
function publicRole(role: StoredRole) {
  return { ...role, builtIn: BUILT_IN_ROLE_IDS.has(role.id) };
}

/**
 * `/api/roles`, governed like users (roles are how users get their rights): `users:read`
 * reads, `users:write` changes. Permissions come from the fixed list (PERMISSIONS); a caller
 * without `*` may only create, change or delete roles within what their own role holds.
 * Built-in roles cannot be deleted; `admin` keeps `*` (only its description may change); a role
 * some user holds cannot be deleted; no change may leave the gateway without an enabled admin.
 */
export function roleRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const read = requirePermission(services, 'users:read');
  const write = requirePermission(services, 'users:write');
  const find = (id: string) => {
    const role = services.config.index.roles.get(id);
    if (!role) throw new GatewayError('not_found', `no role "${id}"`);
    return role;
  };
  const assertCovers = (c: Context<AppEnv>, permissions: readonly string[], what: string) => {
    if (!covers(callerRole(services, c), permissions)) {
      throw new GatewayError('forbidden', `${what} holds permissions your role does not: you cannot grant or take them`);
    }
  };

  app.get('/', read, (c) => c.json({ roles: [...services.config.index.roles.values()].map(publicRole) }));
  app.get('/:id', read, (c) => c.json(publicRole(find(c.req.param('id')))));

  app.post('/', write, async (c) => {
    const input = await readJson(c, services, RoleInput);
    assertCovers(c, input.permissions, `role "${input.id}"`);
    const role = await services.config.update('roles', async (roles) => {
      // The index holds the built-ins even when the file lacks them: none may be shadowed.
      if (services.config.index.roles.has(input.id)) throw new GatewayError('conflict', `role "${input.id}" already exists`);
      const created: StoredRole = { id: input.id, description: input.description, permissions: input.permissions };
      return { next: [...roles, created], result: created };
    });
    noteForAudit(c, { target: role.id });
    return c.json(publicRole(role), 201);
  });

  app.put('/:id', write, async (c) => {
    const id = c.req.param('id');
    const changes = await readJson(c, services, RoleUpdate);
    if (id === ADMIN_ROLE_ID && changes.permissions !== undefined && !(changes.permissions.length === 1 && changes.permissions[0] === '*')) {
      throw new GatewayError('conflict', 'the admin role always holds every permission (*): only its description may change', { param: 'permissions' });
    }
    const role = await services.config.update('roles', async (roles, snapshot) => {
      const current = find(id);
      assertCovers(c, current.permissions, `role "${id}"`);
      if (changes.permissions) assertCovers(c, changes.permissions, 'the new permission list');
      const updated: StoredRole = { ...current, ...changes };
      const at = roles.findIndex((r) => r.id === id);
      // A built-in missing from the file (hand-edited) is stored from now on.
      const next = at === -1 ? [...roles, updated] : roles.map((r, i) => (i === at ? updated : r));
      assertAdminRemains(snapshot, { users: snapshot.users, roles: next }, `changing role "${id}"`);
      return { next, result: updated };
    });
    return c.json(publicRole(role));
  });

  app.delete('/:id', write, async (c) => {
    const id = c.req.param('id');
    await services.config.update('roles', async (roles, snapshot) => {
      const role = find(id);
      if (BUILT_IN_ROLE_IDS.has(id)) throw new GatewayError('conflict', `role "${id}" is built in and cannot be deleted`);
      assertCovers(c, role.permissions, `role "${id}"`);
      const holders = snapshot.users.filter((u) => u.role === id).map((u) => u.id);
      if (holders.length > 0) throw new GatewayError('conflict', `role "${id}" is held by users ${holders.join(', ')}: give them another role first`);
      return { next: roles.filter((r) => r.id !== id), result: undefined };
    });
    return c.body(null, 204);
  });

  return app;
}
