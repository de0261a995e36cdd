/**
 * PBKDF2-HMAC-SHA-256 (RFC 8018) for a 32-byte key, in plain JS, for runtimes whose Web
 * Crypto refuses the iteration count we need: Cloudflare Workers caps PBKDF2 at 100,000
 * iterations, below the 210,000 OWASP asks for. It computes exactly what
 * `crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', …}, …, 256)` does; the
 * HMAC pad states are computed once, so each iteration is two SHA-256 compressions.
 */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of a 16-word block into `out`, starting from `state`. */
function compress(state: Uint32Array, block: Uint32Array, out: Uint32Array, w: Uint32Array): void {
  for (let i = 0; i < 16; i++) w[i] = block[i]!;
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
  out[5] = (state[5]! + f) | 0;
  out[6] = (state[6]! + g) | 0;
  out[7] = (state[7]! + h) | 0;
}

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
  const key = password.length > 64 ? new Uint8Array(await crypto.subtle.digest('SHA-256', password)) : password;
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
