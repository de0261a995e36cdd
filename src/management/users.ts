import { Hono, type Context } from 'hono';
import { covers } from '../config/roles.js';
import { UserInput, UserUpdate, type StoredUser } from '../config/schemas.js';
import { randomId } from '../crypto/encoding.js';
import { hashPassword } from '../crypto/password.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { callerRole } from './access.js';
import { assertAdminRemains } from './admins.js';
import { noteForAudit } from './audit.js';
import { hashing } from './hashing.js';
import { requirePermission, revokeSessions } from './session.js';
import { readJson } from './validate.js';

/** What the API shows of a user: never the password hash or the session version. */
export function publicUser({ passwordHash: _hash, sessionVersion: _version, ...user }: StoredUser) {
  return { ...user, disabled: user.disabled ?? false };
}

const emailTaken = (email: string) => new GatewayError('conflict', `a user with email "${email}" already exists`, { param: 'email' });

/**
 * `/api/users`: `users:read` lists and reads, `users:write` creates, changes and deletes. A
 * caller without `*` may only act on users whose role they could grant, and only grant roles
 * whose permissions they hold themselves: `users:write` alone must not make anyone an admin,
 * nor reset an admin's password.
 */
export function userRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const read = requirePermission(services, 'users:read');
  const write = requirePermission(services, 'users:write');
  const find = (id: string) => {
    const user = services.config.index.usersById.get(id);
    if (!user) throw new GatewayError('not_found', `no user "${id}"`);
    return user;
  };
  /** 400 for an unknown role, 403 for one whose permissions the caller does not hold. */
  const assertGrantable = (c: Context<AppEnv>, roleId: string) => {
    const role = services.config.index.roles.get(roleId);
    if (!role) throw new GatewayError('invalid_request', `role: no role "${roleId}"`, { param: 'role' });
    if (!covers(callerRole(services, c), role.permissions)) {
      throw new GatewayError('forbidden', `role "${roleId}" has permissions your role does not: you cannot grant it`);
    }
  };
  /** 403 unless the caller could have granted `user`'s role: else they could take over a stronger account. */
  const assertManageable = (c: Context<AppEnv>, user: StoredUser) => {
    const permissions = services.config.index.roles.get(user.role)?.permissions ?? [];
    if (!covers(callerRole(services, c), permissions)) {
      throw new GatewayError('forbidden', `user "${user.id}" has permissions your role does not: you cannot change them`);
    }
  };

  app.get('/', read, (c) => c.json({ users: services.config.snapshot.users.map(publicUser) }));
  app.get('/:id', read, (c) => c.json(publicUser(find(c.req.param('id')))));

  app.post('/', write, async (c) => {
    const input = await readJson(c, services, UserInput);
    const email = input.email.toLowerCase();
    // Checked before the costly hash, and again under the lock below.
    if (services.config.index.usersByEmail.has(email)) throw emailTaken(email);
    assertGrantable(c, input.role);
    const passwordHash = await hashing(hashPassword(input.password));
    const user = await services.config.update('users', async (users) => {
      if (users.some((u) => u.email === email)) throw emailTaken(email);
      assertGrantable(c, input.role);
      const now = new Date(services.now()).toISOString();
      const created: StoredUser = { id: randomId('usr'), email, passwordHash, role: input.role, createdAt: now, updatedAt: now };
      return { next: [...users, created], result: created };
    });
    noteForAudit(c, { target: user.id });
    return c.json(publicUser(user), 201);
  });

  app.put('/:id', write, async (c) => {
    const id = c.req.param('id');
    const changes = await readJson(c, services, UserUpdate);
    assertManageable(c, find(id));
    if (changes.role !== undefined) assertGrantable(c, changes.role);
    const passwordHash = changes.password === undefined ? undefined : await hashing(hashPassword(changes.password));
    const updated = await services.config.update('users', async (users, snapshot) => {
      const user = users.find((u) => u.id === id);
      if (!user) throw new GatewayError('not_found', `no user "${id}"`);
      assertManageable(c, user);
      let revoke = false;
      if (changes.role !== undefined && changes.role !== user.role) {
        assertGrantable(c, changes.role);
        user.role = changes.role;
        revoke = true;
      }
      if (passwordHash !== undefined) {
        user.passwordHash = passwordHash;
        revoke = true;
      }
      if (changes.disabled !== undefined && changes.disabled !== (user.disabled ?? false)) {
        if (changes.disabled) user.disabled = true;
        else delete user.disabled;
        revoke ||= changes.disabled;
      }
      assertAdminRemains(snapshot, { users, roles: snapshot.roles }, `changing user "${id}"`);
      // A new role, a new password or disabling ends every session the user has.
      if (revoke) revokeSessions(user);
      user.updatedAt = new Date(services.now()).toISOString();
      return { next: users, result: user };
    });
    return c.json(publicUser(updated));
  });

  app.delete('/:id', write, async (c) => {
    const id = c.req.param('id');
    await services.config.update('users', async (users, snapshot) => {
      const user = users.find((u) => u.id === id);
      if (!user) throw new GatewayError('not_found', `no user "${id}"`);
      assertManageable(c, user);
      const next = users.filter((u) => u.id !== id);
      assertAdminRemains(snapshot, { users: next, roles: snapshot.roles }, `deleting user "${id}"`);
      return { next, result: undefined };
    });
    // The user's sessions died with the record; their memberships go too (a second write:
    // should it fail, a membership of a user who no longer exists grants nothing).
    const isMember = (members: { userId: string }[] = []) => members.some((m) => m.userId === id);
    if (!services.config.snapshot.projects.some((p) => isMember(p.members))) return c.body(null, 204);
    await services.config.update('projects', async (projects) => {
      for (const project of projects) {
        if (!project.members || !isMember(project.members)) continue;
        project.members = project.members.filter((m) => m.userId !== id);
        if (project.members.length === 0) delete project.members;
      }
      return { next: projects, result: undefined };
    });
    return c.body(null, 204);
  });

  return app;
}
