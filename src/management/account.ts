import { Hono, type Context } from 'hono';
import { isFullAccess } from '../config/roles.js';
import { PasswordChange } from '../config/schemas.js';
import { hashPassword, verifyPassword } from '../crypto/password.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { hashing } from './hashing.js';
import { issueSession, requirePermission, revokeSessions } from './session.js';
import { clearSessionCookie, csrfTokenFor, sessionAnswer } from './session-cookie.js';
import { publicUser } from './users.js';
import { readJson } from './validate.js';

/**
 * The signed-in user's own account, under /api/auth: who am I (`GET /me`), log out
 * (`POST /logout`), change my password (`PUT /password`). Any signed-in user may use them.
 */
export function accountRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const signedIn = requirePermission(services, null);
  /** The caller's record; requirePermission has just checked it exists. */
  const me = (c: Context<AppEnv>) => {
    const user = services.config.index.usersById.get(c.get('userId'));
    if (!user) throw new GatewayError('unauthorized', 'invalid or expired session token');
    return user;
  };
  /** Ends every session of the signed-in user, in one serialized write; returns the user as stored. */
  const revokeMine = (c: Context<AppEnv>, change: (user: ReturnType<typeof me>) => void = () => undefined) =>
    services.config.update('users', async (users) => {
      const user = users.find((u) => u.id === c.get('userId'));
      if (!user) throw new GatewayError('unauthorized', 'invalid or expired session token');
      change(user);
      revokeSessions(user);
      return { next: users, result: user };
    });

  /**
   * The signed-in user (never their hash), their role and its permissions, and their project
   * memberships: what a dashboard needs to decide what to show. `fullAccess` users (`*`) see
   * every project whatever their memberships.
   */
  app.get('/me', signedIn, async (c) => {
    const user = me(c);
    const index = services.config.index;
    const role = index.roles.get(user.role);
    const memberships = (index.membershipsByUser.get(user.id) ?? []).map(({ project, role }) => ({ projectId: project.id, projectName: project.name, role }));
    const session = c.get('session');
    return c.json({
      user: publicUser(user),
      role: role ?? { id: user.role, description: '', permissions: [] },
      permissions: role?.permissions ?? [],
      fullAccess: isFullAccess(role),
      memberships,
      // A dashboard reloaded in the browser still has its cookie but has lost the CSRF token: this gives it back.
      ...(session.via === 'cookie' ? { csrfToken: await csrfTokenFor(services, session.token) } : {}),
    });
  });

  /**
   * Ends every session of the user, this one included (on every device: tokens are not tracked
   * one by one), and tells the browser to drop the session cookie, if it holds one.
   */
  app.post('/logout', signedIn, async (c) => {
    await revokeMine(c);
    clearSessionCookie(c, services);
    return c.body(null, 204);
  });

  /**
   * Changes one's own password, given the current one. Every session ends, the caller's
   * included; the answer carries a new token so the caller stays signed in here (in cookie
   * mode a new cookie, and its CSRF token).
   */
  app.put('/password', signedIn, async (c) => {
    const { currentPassword, newPassword } = await readJson(c, services, PasswordChange);
    const before = me(c);
    if (!(await hashing(verifyPassword(currentPassword, before.passwordHash)))) {
      throw new GatewayError('forbidden', 'currentPassword is wrong', { param: 'currentPassword' });
    }
    const passwordHash = await hashing(hashPassword(newPassword));
    const user = await revokeMine(c, (user) => {
      // Another change won the race (an admin's reset, a second tab): the password checked is no longer the one stored.
      if (user.passwordHash !== before.passwordHash) throw new GatewayError('conflict', 'the password changed meanwhile: try again');
      user.passwordHash = passwordHash;
      user.updatedAt = new Date(services.now()).toISOString();
    });
    return sessionAnswer(c, services, await issueSession(services, user));
  });

  return app;
}
