import { jwtVerify, SignJWT } from 'jose';
import type { Context, MiddlewareHandler } from 'hono';
import { allows } from '../config/roles.js';
import type { StoredUser } from '../config/schemas.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { assertCsrf, sessionCookieOf } from './session-cookie.js';

const ISSUER = 'routerly';
const AUDIENCE = 'routerly-api';

/** The session claims a user's record must still match. */
export interface SessionClaims {
  userId: string;
  /** The user's sessionVersion when the token was issued (`sv`; absent in older tokens: 0). */
  sessionVersion: number;
}

const invalidSession = () => new GatewayError('unauthorized', 'invalid or expired session token');

/** A user's current session version: tokens carrying another one are refused. */
export function sessionVersionOf(user: Pick<StoredUser, 'sessionVersion'>): number {
  return user.sessionVersion ?? 0;
}

/**
 * Ends every session of `user` (in a config update): each token carries the version it was
 * issued under, and requirePermission refuses any but the current one.
 */
export function revokeSessions(user: StoredUser): void {
  user.sessionVersion = sessionVersionOf(user) + 1;
}

/**
 * A short-lived HS256 session token for the management API, carrying the user's current
 * session version. A disabled user gets none (403): the password was right, so saying so
 * tells nothing to someone who did not already know it.
 */
export async function issueSession(services: Services, user: Pick<StoredUser, 'id' | 'role' | 'disabled' | 'sessionVersion'>): Promise<string> {
  if (user.disabled) throw new GatewayError('forbidden', 'this account is disabled: ask an admin');
  const now = Math.floor(services.now() / 1000);
  return new SignJWT({ role: user.role, sv: sessionVersionOf(user) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + services.sessionTtlSeconds)
    .sign(services.signingKey);
}

/**
 * The claims of a session token, or 401. Besides the signature, issuer, audience and expiry,
 * the token must carry `exp`, `iat` and `sub`, be no older than the configured session TTL,
 * and have been issued for no longer than it: a token without an expiry, or minted with a
 * longer life (by an older config or a bug), is refused even though it is correctly signed.
 * Lowering the TTL therefore also shortens sessions already issued.
 */
export async function verifySession(services: Services, token: string): Promise<SessionClaims> {
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
    const version = payload.sv ?? 0;
    // jose has checked that both are numbers and that `sub` is present.
    if (payload.exp! - payload.iat! <= ttl && typeof payload.sub === 'string' && Number.isSafeInteger(version)) {
      return { userId: payload.sub, sessionVersion: version as number };
    }
  } catch {
    // Every reason answers the same.
  }
  throw invalidSession();
}

/**
 * The session token a request carries: `Authorization: Bearer` first (API clients, the CLI),
 * else the session cookie (the dashboard). A malformed Authorization header is not passed over
 * for the cookie: the client meant it, and says so by the 401.
 */
function presentedSession(c: Context<AppEnv>): { token: string; via: 'bearer' | 'cookie' } | undefined {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
    return token === undefined ? undefined : { token, via: 'bearer' };
  }
  const cookie = sessionCookieOf(c);
  return cookie === undefined ? undefined : { token: cookie, via: 'cookie' };
}

/**
 * Requires a valid session of a user who still exists, is not disabled and has not had their
 * sessions revoked since (session version), and whose role grants `permission` (`null`: any
 * signed-in user). The role is read from the user record, not the token, so a demotion
 * takes effect at once. A session from the cookie must also carry its CSRF token on a write
 * (session-cookie.ts); a bearer token needs none, since no browser sends it on its own.
 */
export function requirePermission(services: Services, permission: string | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = presentedSession(c);
    if (!session) throw new GatewayError('unauthorized', 'missing session token: log in and send "Authorization: Bearer <token>" (or the session cookie)');
    const claims = await verifySession(services, session.token);
    const index = services.config.index;
    const user = index.usersById.get(claims.userId);
    if (!user || user.disabled || sessionVersionOf(user) !== claims.sessionVersion) throw invalidSession();
    c.set('userId', user.id);
    c.set('userEmail', user.email);
    c.set('role', user.role);
    c.set('session', session);
    if (session.via === 'cookie') await assertCsrf(c, services, session.token);
    if (permission !== null && !allows(index.roles.get(user.role), permission)) {
      throw new GatewayError('forbidden', `your role "${user.role}" does not allow ${permission}`);
    }
    await next();
  };
}
