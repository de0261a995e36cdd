import { GatewayError } from '../errors.js';

const FREE_ATTEMPTS = 5;
const FIRST_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

/**
 * Slows password guessing: after five wrong passwords for an email, each further attempt
 * waits a lockout that doubles (30 s, 1 min, … up to 15 min). A right password clears it.
 * Kept in memory, so it is per process (per isolate on Workers): a brake, not an audit log.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(private readonly now: () => number) {}

  /** Throws 429 while `email` is locked out. */
  check(email: string): void {
    const entry = this.failures.get(email);
    const wait = entry ? entry.lockedUntil - this.now() : 0;
    if (wait > 0) {
      throw new GatewayError('rate_limited', 'too many failed logins for this account: try again later', {
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      });
    }
  }

  failed(email: string): void {
    const count = (this.failures.get(email)?.count ?? 0) + 1;
    const lockMs = count < FREE_ATTEMPTS ? 0 : Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (count - FREE_ATTEMPTS));
    // Re-inserting keeps the map in least-recently-failed order, so the oldest goes first when full.
    this.failures.delete(email);
    this.failures.set(email, { count, lockedUntil: this.now() + lockMs });
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }

  succeeded(email: string): void {
    this.failures.delete(email);
  }
}
