import { HashingBusyError } from '../crypto/password.js';
import { GatewayError } from '../errors.js';

/** Every hashing slot is taken and the queue is full: answer at once rather than pile up. */
export const hashingBusy = () =>
  new GatewayError('rate_limited', 'too many passwords are being checked right now: try again in a moment', { headers: { 'retry-after': '1' } });

/** Runs a password hash (hashPassword, verifyPassword), turning a full hashing queue into a 429. */
export async function hashing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof HashingBusyError ? hashingBusy() : error;
  }
}
