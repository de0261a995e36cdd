import { jwtVerify, SignJWT } from 'jose';
import type { MiddlewareHandler } from 'hono';
import { allows } from '../config/roles.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';

const ISSUER = 'routerly';
const AUDIENCE = 'routerly-api';

/** A short-lived HS256 session token for the management API. */
export async function issueSession(services: Services, user: { id: string; role: string }): Promise<string> {
  const now = Math.floor(services.now() / 1000);
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + services.sessionTtlSeconds)
    .sign(services.signingKey);
}

/**
 * Requires a valid session whose user still exists and whose role grants `permission`
 * (`null`: any signed-in user).
 * The role is read from the user record, not the token, so a demotion takes effect at once.
 */
export function requirePermission(services: Services, permission: string | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = header && /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
    if (!token) throw new GatewayError('unauthorized', 'missing session token: log in and send "Authorization: Bearer <token>"');
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(token, services.signingKey, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        currentDate: new Date(services.now()),
      });
      subject = payload.sub;
    } catch {
      throw new GatewayError('unauthorized', 'invalid or expired session token');
    }
    const index = services.config.index;
    const user = subject === undefined ? undefined : index.usersById.get(subject);
    if (!user) throw new GatewayError('unauthorized', 'invalid or expired session token');
    if (permission !== null && !allows(index.roles.get(user.role), permission)) {
      throw new GatewayError('forbidden', `your role "${user.role}" does not allow ${permission}`);
    }
    c.set('userId', user.id);
    c.set('role', user.role);
    await next();
  };
}
