import type { ConfigIndex } from '../config/state.js';
import type { StoredProject, StoredToken } from '../config/schemas.js';
import { digestsEqual, hashToken } from '../crypto/tokens.js';
import { GatewayError } from '../errors.js';
import type { HeaderReader } from '../http/header-fields.js';

/** Digests of tokens that were valid when last seen, by token: at most this many. */
const HASH_CACHE_LIMIT = 1024;
const knownHashes = new Map<string, string>();

/**
 * A token's SHA-256, from the cache when the token was valid before: hashing in JavaScript
 * costs more than the rest of authentication. Only tokens that matched a stored one are
 * kept, so random tokens cannot push the real ones out; the cache starts over when full.
 */
function hashOf(token: string): string {
  return knownHashes.get(token) ?? hashToken(token);
}

function remember(token: string, hash: string): void {
  if (knownHashes.has(token)) return;
  if (knownHashes.size >= HASH_CACHE_LIMIT) knownHashes.clear();
  knownHashes.set(token, hash);
}

/**
 * Finds the project a request's token belongs to. The token may come as `Authorization:
 * Bearer` (the OpenAI SDK, recent Anthropic SDKs) or as `x-api-key` (older Anthropic SDKs,
 * Anthropic's curl examples); both are accepted. Tokens are
 * looked up by their SHA-256, then the digests compared in constant time.
 */
export function authenticateProject(headers: HeaderReader, index: ConfigIndex): { project: StoredProject; token: StoredToken } {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1];
  const token = bearer || headers.get('x-api-key')?.trim();
  if (!token) {
    throw new GatewayError('unauthorized', 'missing API key: send the project token as "Authorization: Bearer" or "x-api-key"');
  }
  const hash = hashOf(token);
  // A cached digest is looked up like a fresh one: a token revoked since is found nowhere.
  const found = index.tokens.get(hash);
  if (!found || !digestsEqual(found.token.hash, hash)) throw new GatewayError('unauthorized', 'invalid API key');
  remember(token, hash);
  return found;
}
