import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { timingSafeEqualText } from '../crypto/encoding.js';
import { hmacSha256Base64Url } from '../crypto/hmac.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { requestIsHttps } from './client-address.js';

/**
 * Cookie sessions for the dashboard. A browser app that kept the bearer token in script memory
 * or storage would hand it to any script injected into the page; in an HttpOnly cookie no script
 * can read it. The cookie is only used when the client asks for it (SESSION_MODE_HEADER on
 * setup, login and password change); every other client keeps getting `{token}`.
 *
 * A cookie is sent by the browser on its own, so a cookie-authenticated write must also prove it
 * came from our page: it carries the session's CSRF token in CSRF_HEADER (the double-submit
 * pattern, with the token derived, not stored). `SameSite=Strict` already keeps other sites'
 * requests from carrying the cookie; the token is the second line, for browsers or setups
 * (a sibling subdomain counts as same-site) where that falls short. Setup and login need none:
 * the mode header is not a header a cross-site form can send, and without a session there is
 * nothing to forge.
 */
export const SESSION_COOKIE = 'routerly_session';
/** `x-routerly-session: cookie` asks setup, login and password change to answer with the cookie. */
export const SESSION_MODE_HEADER = 'x-routerly-session';
export const CSRF_HEADER = 'x-csrf-token';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis), and hono refuses to write more. */
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 3600;

/** Methods that change nothing, and so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the client asked for its session in the cookie rather than in the body. */
export function wantsCookieSession(c: Context<AppEnv>): boolean {
  return c.req.header(SESSION_MODE_HEADER)?.trim().toLowerCase() === 'cookie';
}

/** The session token in the request's cookie, if any. */
export function sessionCookieOf(c: Context<AppEnv>): string | undefined {
  const value = getCookie(c, SESSION_COOKIE);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The CSRF token of a session: HMAC-SHA-256 of the token's signature under a key of its own
 * (crypto/keys.ts). Derived rather than stored, so nothing is kept per session, and only the
 * gateway can make it; it changes with every new session token, and a revoked session's is useless.
 */
export function csrfTokenFor(services: Services, sessionToken: string): Promise<string> {
  return hmacSha256Base64Url(services.csrfKey, sessionToken.slice(sessionToken.lastIndexOf('.') + 1));
}

/** Refuses (403) a cookie-authenticated write without the session's CSRF token; compared in constant time. */
export async function assertCsrf(c: Context<AppEnv>, services: Services, sessionToken: string): Promise<void> {
  if (SAFE_METHODS.has(c.req.method)) return;
  const sent = c.req.header(CSRF_HEADER) ?? '';
  const expected = await csrfTokenFor(services, sessionToken);
  if (!timingSafeEqualText(sent, expected)) throw new GatewayError('forbidden', 'missing or wrong CSRF token');
}

/**
 * The answer that hands over a new session: in cookie mode the cookie, and `{csrfToken}` in the
 * body (never the token itself, which no script may see); otherwise `{token}`, as always.
 */
export async function sessionAnswer(c: Context<AppEnv>, services: Services, token: string, status: 200 | 201 = 200): Promise<Response> {
  if (!wantsCookieSession(c)) return c.json({ token }, status);
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    // Past 400 days the cookie ends before the token does; the token's own expiry still holds either way.
    maxAge: Math.min(services.sessionTtlSeconds, MAX_COOKIE_AGE_SECONDS),
    secure: requestIsHttps(c, services),
  });
  return c.json({ csrfToken: await csrfTokenFor(services, token) }, status);
}

/** Tells the browser to drop the session cookie (Max-Age=0). */
export function clearSessionCookie(c: Context<AppEnv>, services: Services): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: requestIsHttps(c, services) });
}
