/**
 * Users and roles through the management API: creating and changing users, custom roles and
 * their validation, the last-admin rules, the grant ceiling, and session revocation on each
 * of its triggers.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { managementHarness, PASSWORD, type Harness } from '../support/management-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await managementHarness();
});

const models = (token: string) => h.call('GET', '/api/models', { token });

describe('users', () => {
  it('creates, lists, reads, changes and deletes users, never showing a hash', async () => {
    const created = await h.call('POST', '/api/users', { token: h.admin.token, body: { email: 'Ops@Example.com', password: PASSWORD, role: 'operator' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'ops@example.com', role: 'operator', disabled: false });
    const list = await h.call('GET', '/api/users', { token: h.admin.token });
    expect(list.body.users.map((u: any) => u.email)).toEqual(['admin@example.com', 'ops@example.com']);
    expect(JSON.stringify(list.body)).not.toMatch(/passwordHash|pbkdf2|sessionVersion/);
    expect((await h.call('GET', `/api/users/${created.body.id}`, { token: h.admin.token })).body.email).toBe('ops@example.com');
    const changed = await h.call('PUT', `/api/users/${created.body.id}`, { token: h.admin.token, body: { role: 'viewer' } });
    expect(changed.body.role).toBe('viewer');
    expect((await h.call('DELETE', `/api/users/${created.body.id}`, { token: h.admin.token })).status).toBe(204);
    expect((await h.call('GET', `/api/users/${created.body.id}`, { token: h.admin.token })).status).toBe(404);
  });

  it('refuses a duplicate email, an unknown role and a short password', async () => {
    const dup = await h.call('POST', '/api/users', { token: h.admin.token, body: { email: 'ADMIN@example.com', password: PASSWORD, role: 'viewer' } });
    expect(dup.status).toBe(409);
    const unknown = await h.call('POST', '/api/users', { token: h.admin.token, body: { email: 'x@example.com', password: PASSWORD, role: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/no role "nope"/);
    expect((await h.call('POST', '/api/users', { token: h.admin.token, body: { email: 'x@example.com', password: 'short', role: 'viewer' } })).status).toBe(400);
    expect((await h.call('PUT', `/api/users/${h.admin.id}`, { token: h.admin.token, body: { role: 'nope' } })).status).toBe(400);
  });

  it('lets a password reset, and only the new password, log in', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    expect((await h.call('PUT', `/api/users/${ops.id}`, { token: h.admin.token, body: { password: 'a brand new password' } })).status).toBe(200);
    expect((await h.login(ops.email)).status).toBe(401);
    expect((await h.login(ops.email, 'a brand new password')).status).toBe(200);
  });

  it('keeps a disabled user out until enabled again', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    expect((await h.call('PUT', `/api/users/${ops.id}`, { token: h.admin.token, body: { disabled: true } })).body.disabled).toBe(true);
    const login = await h.login(ops.email);
    expect(login.status).toBe(403);
    expect(login.body.error.message).toMatch(/disabled/);
    expect((await h.call('PUT', `/api/users/${ops.id}`, { token: h.admin.token, body: { disabled: false } })).status).toBe(200);
    expect((await h.login(ops.email)).status).toBe(200);
  });
});

describe('the last admin', () => {
  it('cannot be demoted, disabled or deleted, by themselves or anyone', async () => {
    for (const body of [{ role: 'operator' }, { disabled: true }]) {
      const answer = await h.call('PUT', `/api/users/${h.admin.id}`, { token: h.admin.token, body });
      expect(answer.status, JSON.stringify(body)).toBe(409);
      expect(answer.body.error.message).toMatch(/no enabled user with every permission/);
    }
    expect((await h.call('DELETE', `/api/users/${h.admin.id}`, { token: h.admin.token })).status).toBe(409);
    expect((await models(h.admin.token)).status).toBe(200);
  });

  it('can step down once another enabled admin exists, and a disabled admin does not count', async () => {
    const second = await h.user('second@example.com', 'admin');
    expect((await h.call('PUT', `/api/users/${second.id}`, { token: h.admin.token, body: { disabled: true } })).status).toBe(200);
    expect((await h.call('PUT', `/api/users/${h.admin.id}`, { token: h.admin.token, body: { role: 'viewer' } })).status).toBe(409);
    expect((await h.call('PUT', `/api/users/${second.id}`, { token: h.admin.token, body: { disabled: false } })).status).toBe(200);
    expect((await h.call('PUT', `/api/users/${h.admin.id}`, { token: h.admin.token, body: { role: 'viewer' } })).status).toBe(200);
  });

  it('cannot lose * through a custom role either', async () => {
    const root = await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'root', permissions: ['*'] } });
    expect(root.status).toBe(201);
    const other = await h.user('root@example.com', 'root');
    // Now two admins: the first may step down; then "root" is the last role with *.
    expect((await h.call('PUT', `/api/users/${h.admin.id}`, { token: other.token, body: { role: 'viewer' } })).status).toBe(200);
    const strip = await h.call('PUT', '/api/roles/root', { token: other.token, body: { permissions: ['users:write'] } });
    expect(strip.status).toBe(409);
  });

  it('survives two admins demoting each other at the same moment: one of them stays', async () => {
    const second = await h.user('second@example.com', 'admin');
    const [a, b] = await Promise.all([
      h.call('PUT', `/api/users/${second.id}`, { token: h.admin.token, body: { role: 'viewer' } }),
      h.call('PUT', `/api/users/${h.admin.id}`, { token: second.token, body: { role: 'viewer' } }),
    ]);
    // The loser is refused by the last-admin check, or (its author demoted first) by its session or role.
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([401, 403, 409]).toContain(statuses[1]);
    const users = (await h.call('GET', '/api/users', { token: a.status === 200 ? h.admin.token : second.token })).body.users;
    expect(users.filter((u: any) => u.role === 'admin')).toHaveLength(1);
  });
});

describe('roles', () => {
  it('lists the built-ins, creates, changes and deletes a custom role', async () => {
    const list = await h.call('GET', '/api/roles', { token: h.admin.token });
    expect(list.body.roles.filter((r: any) => r.builtIn).map((r: any) => r.id)).toEqual(['admin', 'operator', 'viewer']);
    const created = await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'auditor', description: 'reads the audit log', permissions: ['audit:read'] } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'auditor', description: 'reads the audit log', permissions: ['audit:read'], builtIn: false });
    const changed = await h.call('PUT', '/api/roles/auditor', { token: h.admin.token, body: { permissions: ['audit:read', 'metrics:read'] } });
    expect(changed.body.permissions).toEqual(['audit:read', 'metrics:read']);
    expect((await h.call('GET', '/api/roles/auditor', { token: h.admin.token })).body.description).toBe('reads the audit log');
    expect((await h.call('DELETE', '/api/roles/auditor', { token: h.admin.token })).status).toBe(204);
    expect((await h.call('GET', '/api/roles/auditor', { token: h.admin.token })).status).toBe(404);
  });

  it.each([
    ['an unknown permission', { id: 'bad', permissions: ['models:delete'] }],
    ['a permission twice', { id: 'bad', permissions: ['models:read', 'models:read'] }],
    ['a bad id', { id: 'Bad Role', permissions: [] }],
    ['an unknown field', { id: 'bad', permissions: [], extra: true }],
    ['no permissions list', { id: 'bad' }],
  ])('refuses a role with %s', async (_, body) => {
    expect((await h.call('POST', '/api/roles', { token: h.admin.token, body })).status).toBe(400);
  });

  it('refuses a duplicate role, deleting a built-in, deleting a role in use, and taking * from admin', async () => {
    expect((await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'viewer', permissions: [] } })).status).toBe(409);
    for (const id of ['admin', 'operator', 'viewer']) expect((await h.call('DELETE', `/api/roles/${id}`, { token: h.admin.token })).status, id).toBe(409);
    await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'team', permissions: ['models:read'] } });
    const member = await h.user('team@example.com', 'team');
    const inUse = await h.call('DELETE', '/api/roles/team', { token: h.admin.token });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toContain(member.id);
    expect((await h.call('PUT', '/api/roles/admin', { token: h.admin.token, body: { permissions: ['users:write'] } })).status).toBe(409);
    // Its description may change, and resending * is no change.
    expect((await h.call('PUT', '/api/roles/admin', { token: h.admin.token, body: { description: 'root', permissions: ['*'] } })).status).toBe(200);
    expect((await h.call('DELETE', '/api/roles/nope', { token: h.admin.token })).status).toBe(404);
  });

  it('lets built-in operator and viewer roles be edited, and their holders get the change at once', async () => {
    const viewer = await h.user('v@example.com', 'viewer');
    expect((await models(viewer.token)).status).toBe(200);
    expect((await h.call('PUT', '/api/roles/viewer', { token: h.admin.token, body: { permissions: ['usage:read'] } })).status).toBe(200);
    expect((await models(viewer.token)).status).toBe(403);
  });

  it('never lets a role grant what its holder lacks (users:write is not a way to admin)', async () => {
    await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'manager', permissions: ['users:read', 'users:write', 'models:read'] } });
    const manager = await h.user('m@example.com', 'manager');
    const deny = async (method: string, path: string, body?: unknown) => {
      const answer = await h.call(method, path, { token: manager.token, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
    };
    await deny('POST', '/api/roles', { id: 'root', permissions: ['*'] });
    await deny('POST', '/api/roles', { id: 'more', permissions: ['settings:write'] });
    await deny('PUT', '/api/roles/manager', { permissions: ['users:read', 'users:write', 'models:read', 'models:write'] });
    await deny('POST', '/api/users', { email: 'evil@example.com', password: PASSWORD, role: 'admin' });
    await deny('PUT', `/api/users/${manager.id}`, { role: 'admin' });
    // Nor take over a stronger account by resetting its password, disabling or deleting it.
    await deny('PUT', `/api/users/${h.admin.id}`, { password: 'taken over now' });
    await deny('DELETE', `/api/users/${h.admin.id}`);
    await h.call('POST', '/api/roles', { token: h.admin.token, body: { id: 'power', permissions: ['settings:write'] } });
    await deny('DELETE', '/api/roles/power');
    await deny('PUT', '/api/roles/power', { description: 'mine now' });
    // Within its own permissions it manages users and roles.
    expect((await h.call('POST', '/api/roles', { token: manager.token, body: { id: 'reader', permissions: ['models:read'] } })).status).toBe(201);
    const created = await h.call('POST', '/api/users', { token: manager.token, body: { email: 'r@example.com', password: PASSWORD, role: 'reader' } });
    expect(created.status).toBe(201);
    expect((await h.call('PUT', `/api/users/${created.body.id}`, { token: manager.token, body: { disabled: true } })).status).toBe(200);
  });
});

describe('session revocation', () => {
  it('ends sessions on logout: every session of that user, and no one else', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    const second = (await h.login(ops.email)).body.token as string;
    expect((await h.call('POST', '/api/auth/logout', { token: ops.token })).status).toBe(204);
    expect((await models(ops.token)).status).toBe(401);
    expect((await models(second)).status).toBe(401);
    expect((await models(h.admin.token)).status).toBe(200);
    // A new login works.
    expect((await models((await h.login(ops.email)).body.token)).status).toBe(200);
  });

  it('ends sessions on a change of one own password, handing back a working token', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    const other = (await h.login(ops.email)).body.token as string;
    const wrong = await h.call('PUT', '/api/auth/password', { token: ops.token, body: { currentPassword: 'not it at all', newPassword: 'the next password' } });
    expect(wrong.status).toBe(403);
    expect((await models(ops.token)).status).toBe(200);
    const changed = await h.call('PUT', '/api/auth/password', { token: ops.token, body: { currentPassword: PASSWORD, newPassword: 'the next password' } });
    expect(changed.status).toBe(200);
    expect((await models(ops.token)).status).toBe(401);
    expect((await models(other)).status).toBe(401);
    expect((await models(changed.body.token)).status).toBe(200);
    expect((await h.login(ops.email, 'the next password')).status).toBe(200);
    expect((await h.call('PUT', '/api/auth/password', { token: changed.body.token, body: { currentPassword: 'the next password', newPassword: 'short' } })).status).toBe(400);
  });

  it.each([
    ['a password reset', { password: 'reset by the admin' }],
    ['a role change', { role: 'viewer' }],
    ['disabling', { disabled: true }],
  ])('ends sessions on %s by an admin', async (_, body) => {
    const ops = await h.user('ops@example.com', 'operator');
    expect((await models(ops.token)).status).toBe(200);
    expect((await h.call('PUT', `/api/users/${ops.id}`, { token: h.admin.token, body })).status).toBe(200);
    expect((await models(ops.token)).status).toBe(401);
  });

  it('does not end sessions when nothing that matters changed', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    expect((await h.call('PUT', `/api/users/${ops.id}`, { token: h.admin.token, body: { role: 'operator', disabled: false } })).status).toBe(200);
    expect((await models(ops.token)).status).toBe(200);
  });

  it('ends sessions on deletion', async () => {
    const ops = await h.user('ops@example.com', 'operator');
    expect((await h.call('DELETE', `/api/users/${ops.id}`, { token: h.admin.token })).status).toBe(204);
    expect((await models(ops.token)).status).toBe(401);
    // The same email, created again, is a new user: the old session does not come back.
    const again = await h.call('POST', '/api/users', { token: h.admin.token, body: { email: ops.email, password: PASSWORD, role: 'operator' } });
    expect(again.body.id).not.toBe(ops.id);
    expect((await models(ops.token)).status).toBe(401);
  });
});

describe('GET /api/auth/me', () => {
  it('shows the user (never the hash), the role, its permissions and the memberships', async () => {
    const viewer = await h.user('v@example.com', 'viewer');
    const project = await h.call('POST', '/api/projects', { token: h.admin.token, body: { name: 'p', members: [{ userId: viewer.id, role: 'editor' }] } });
    const me = await h.call('GET', '/api/auth/me', { token: viewer.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: viewer.id, email: 'v@example.com', role: 'viewer', disabled: false },
      role: { id: 'viewer' },
      fullAccess: false,
      memberships: [{ projectId: project.body.id, projectName: 'p', role: 'editor' }],
    });
    expect(me.body.permissions).toContain('models:read');
    expect(JSON.stringify(me.body)).not.toMatch(/passwordHash|pbkdf2/);
    expect((await h.call('GET', '/api/auth/me', { token: h.admin.token })).body).toMatchObject({ fullAccess: true, permissions: ['*'] });
    expect((await h.call('GET', '/api/auth/me')).status).toBe(401);
  });
});
