import { fromBase64Url, randomBytes, timingSafeEqual, toBase64Url, utf8 } from './encoding.js';
import { pbkdf2Sha256 } from './pbkdf2.js';

/** OWASP's 2023 floor for PBKDF2-HMAC-SHA-256. */
export const PBKDF2_ITERATIONS = 210_000;

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
export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = stored.split('$');
  const iterations = Number(iterationsText);
  if (scheme !== 'pbkdf2-sha256' || !Number.isInteger(iterations) || iterations < 1 || !saltText || !hashText) {
    return false;
  }
  const actual = await derive(password, fromBase64Url(saltText), iterations);
  return timingSafeEqual(actual, fromBase64Url(hashText));
}
