import { compress, IV, sha256 } from './sha256.js';

/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018) for a 32-byte key, in plain JS, for runtimes whose Web
 * Crypto refuses the iteration count we need: Cloudflare Workers caps PBKDF2 at 100,000
 * iterations, below the 210,000 OWASP asks for. It computes exactly what
 * `crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', …}, …, 256)` does; the
 * HMAC pad states are computed once, so each iteration is two SHA-256 compressions.
 */
/** The SHA-256 state after absorbing one 64-byte block (an HMAC pad). */
function absorbPad(key: Uint8Array, pad: number): Uint32Array {
  const block = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    const byte = (j: number) => (key[i * 4 + j] ?? 0) ^ pad;
    block[i] = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
  }
  const state = new Uint32Array(8);
  compress(IV, block, state, new Uint32Array(64));
  return state;
}

export async function pbkdf2Sha256(password: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  // HMAC keys longer than a block are hashed first (RFC 2104).
  const key = password.length > 64 ? sha256(password) : password;
  const inner = absorbPad(key, 0x36);
  const outer = absorbPad(key, 0x5c);

  // U1 = HMAC(password, salt || INT(1)): the salt has any length, so Web Crypto's HMAC does it.
  const hmacKey = await crypto.subtle.importKey('raw', password, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  first[salt.length + 3] = 1;
  const u1 = new DataView(await crypto.subtle.sign('HMAC', hmacKey, first));

  // Each later U is HMAC of the previous 32-byte U: one padded block for the inner hash, one for the outer.
  const block = new Uint32Array(16);
  block[8] = 0x80000000;
  block[15] = (64 + 32) * 8;
  const u = new Uint32Array(8);
  const t = new Uint32Array(8);
  const w = new Uint32Array(64);
  for (let i = 0; i < 8; i++) t[i] = u[i] = u1.getUint32(i * 4);
  for (let n = 1; n < iterations; n++) {
    block.set(u);
    compress(inner, block, u, w);
    block.set(u);
    compress(outer, block, u, w);
    for (let i = 0; i < 8; i++) t[i]! ^= u[i]!;
  }
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(i * 4, t[i]!);
  return out;
}
