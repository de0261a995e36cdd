import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url, utf8 } from './encoding.js';
import { pbkdf2Sha256 } from './pbkdf2.js';

/** OWASP's 2023 floor for PBKDF2-HMAC-SHA-256. */
export const PBKDF2_ITERATIONS = 210_000;

/** Thrown at once, without hashing, when `maxWaiting` hashes already wait for a slot. */
export class HashingBusyError extends Error {
  override readonly name = 'HashingBusyError';
}

/**
 * Lets at most `concurrency` password hashes run at once; up to `maxWaiting` more wait their
 * turn in order, and any beyond that are refused at once with HashingBusyError. On Node,
 * Web Crypto's PBKDF2 runs on libuv's thread pool (4 threads by default), the pool file
 * reads and writes use too: unbounded logins would starve config writes.
 */
export class HashLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  /** Hashes running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new HashingBusyError('too many password hashes waiting');
      // The finishing hash hands its slot over, so `running` is not touched here.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * The process-wide (isolate-wide on Workers) limit every hashPassword and verifyPassword
 * goes through: two hashes at once leave half of Node's default thread pool to file I/O;
 * sixteen waiting is a few seconds of hashing, and more are refused rather than queued.
 */
export const passwordHashing = new HashLimiter(2, 16);

/** Set once the runtime's Web Crypto has refused our iteration count, so it is not asked again. */
let nativeRefuses = false;

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const secret = utf8.encode(password);
  if (!nativeRefuses) {
    try {
      const material = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveBits']);
      return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 256));
    } catch {
      // Cloudflare Workers refuses PBKDF2 above 100,000 iterations: compute the same function in JS.
      nativeRefuses = true;
    }
  }
  return pbkdf2Sha256(secret, salt, iterations);
}

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>`: self-describing, so the iteration count can rise later. */
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS, limiter = passwordHashing): Promise<string> {
  const salt = randomBytes(16);
  const hash = await limiter.run(() => derive(password, salt, iterations));
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Throws HashingBusyError when `limiter` has no room; see HashLimiter. */
export async function verifyPassword(password: string, stored: string, limiter = passwordHashing): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = stored.split('$');
  const iterations = Number(iterationsText);
  if (scheme !== 'pbkdf2-sha256' || !Number.isInteger(iterations) || iterations < 1 || !saltText || !hashText) {
    return false;
  }
  const actual = await limiter.run(() => derive(password, fromBase64Url(saltText), iterations));
  return timingSafeEqual(actual, fromBase64Url(hashText));
}
