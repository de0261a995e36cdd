import type { ConfigIndex } from '../config/state.js';
import type { StoredProject, StoredToken } from '../config/schemas.js';
import { digestsEqual, hashToken } from '../crypto/tokens.js';
import { GatewayError } from '../errors.js';

/**
 * Finds the project a request's token belongs to. The token may come as `Authorization:
 * Bearer` (the OpenAI SDK, recent Anthropic SDKs) or as `x-api-key` (older Anthropic SDKs,
 * Anthropic's curl examples); both are accepted. Tokens are
 * looked up by their SHA-256, then the digests compared in constant time.
 */
export function authenticateProject(headers: Headers, index: ConfigIndex): { project: StoredProject; token: StoredToken } {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1];
  const token = bearer || headers.get('x-api-key')?.trim();
  if (!token) {
    throw new GatewayError('unauthorized', 'missing API key: send the project token as "Authorization: Bearer" or "x-api-key"');
  }
  const hash = hashToken(token);
  const found = index.tokens.get(hash);
  if (!found || !digestsEqual(found.token.hash, hash)) throw new GatewayError('unauthorized', 'invalid API key');
  return found;
}
