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
 * The user id of a session token, or 401. Besides the signature, issuer, audience and expiry,
 * the token must carry `exp`, `iat` and `sub`, be no older than the configured session TTL,
 * and have been issued for no longer than it: a token without an expiry, or minted with a
 * longer life (by an older config or a bug), is refused even though it is correctly signed.
 * Lowering the TTL therefore also shortens sessions already issued.
 */
export async function verifySession(services: Services, token: string): Promise<string> {
  const ttl = services.sessionTtlSeconds;
  try {
    const { payload } = await jwtVerify(token, services.signingKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      typ: 'JWT',
      requiredClaims: ['exp', 'iat', 'sub'],
      // Also refuses an `iat` in the future.
      maxTokenAge: ttl,
      currentDate: new Date(services.now()),
    });
    // jose has checked that both are numbers and that `sub` is present.
    if (payload.exp! - payload.iat! <= ttl && typeof payload.sub === 'string') return payload.sub;
  } catch {
    // Every reason answers the same.
  }
  throw new GatewayError('unauthorized', 'invalid or expired session token');
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
    const subject = await verifySession(services, token);
    const index = services.config.index;
    const user = index.usersById.get(subject);
    if (!user) throw new GatewayError('unauthorized', 'invalid or expired session token');
    if (permission !== null && !allows(index.roles.get(user.role), permission)) {
      throw new GatewayError('forbidden', `your role "${user.role}" does not allow ${permission}`);
    }
    c.set('userId', user.id);
    c.set('role', user.role);
    await next();
  };
}
