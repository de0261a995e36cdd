import { HashingBusyError } from '../crypto/password.js';
import { GatewayError } from '../errors.js';

/**
 * Runs a password hash (hashPassword, verifyPassword), turning a full hashing queue into a 429
 * as the login route does: every hashing slot taken and the queue full, so answer at once
 * rather than pile up.
 */
export async function hashing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof HashingBusyError)) throw error;
    throw new GatewayError('rate_limited', 'too many passwords are being checked right now: try again in a moment', { headers: { 'retry-after': '1' } });
  }
}
