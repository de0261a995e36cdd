import { randomBytes, timingSafeEqualText, toBase64Url, toHex, utf8 } from './encoding.js';
import { sha256 } from './sha256.js';

/** Project API tokens: `sk-rt-` + 32 random bytes in base64url (43 characters). */
export const TOKEN_PREFIX = 'sk-rt-';

export function generateToken(): string {
  return TOKEN_PREFIX + toBase64Url(randomBytes(32));
}

/** The only form a token is ever stored in: hex SHA-256 (synchronous: it runs on every request). */
export function hashToken(token: string): string {
  return toHex(sha256(utf8.encode(token)));
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  return timingSafeEqualText(a, b);
}

/** Shows enough of a token to recognise it in a list, never enough to use it. */
export function tokenHint(token: string): string {
  return `${token.slice(0, TOKEN_PREFIX.length + 4)}…${token.slice(-4)}`;
}
