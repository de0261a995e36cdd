import { describe, expect, it, vi } from 'vitest';
import { fromBase64Url, timingSafeEqual, timingSafeEqualText, toBase64Url } from '../../src/crypto/encoding.js';
import { hmacSha256Base64Url } from '../../src/crypto/hmac.js';
import { deriveKeys } from '../../src/crypto/keys.js';
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from '../../src/crypto/password.js';
import { open, seal } from '../../src/crypto/secret-box.js';
import { digestsEqual, generateToken, hashToken, tokenHint, TOKEN_PREFIX } from '../../src/crypto/tokens.js';

const SECRET = 'a-test-master-secret-of-at-least-32-chars';

describe('secret box (AES-256-GCM)', () => {
  it('seals and opens, with a fresh IV each time', async () => {
    const { encryption } = await deriveKeys(SECRET);
    const a = await seal(encryption, 'sk-provider-key', 'model-a');
    const b = await seal(encryption, 'sk-provider-key', 'model-a');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-provider-key');
    expect(await open(encryption, a, 'model-a')).toBe('sk-provider-key');
  });

  it('refuses a key moved to another model, a tampered value, or another master secret', async () => {
    const { encryption } = await deriveKeys(SECRET);
    const sealed = await seal(encryption, 'sk-provider-key', 'model-a');
    await expect(open(encryption, sealed, 'model-b')).rejects.toThrow();
    const [v, iv, data] = sealed.split('.');
    const flipped = data!.slice(0, -2) + (data!.at(-2) === 'A' ? 'B' : 'A') + data!.at(-1);
    await expect(open(encryption, `${v}.${iv}.${flipped}`, 'model-a')).rejects.toThrow();
    const other = await deriveKeys(`${SECRET}-other`);
    await expect(open(other.encryption, sealed, 'model-a')).rejects.toThrow();
  });

  it('refuses a short master secret', async () => {
    await expect(deriveKeys('short')).rejects.toThrow(/32/);
  });
});

describe('project tokens', () => {
  it('are sk-rt- plus 32 random bytes, hashed with SHA-256', async () => {
    const token = generateToken();
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(fromBase64Url(token.slice(TOKEN_PREFIX.length))).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // SHA-256("abc"), from FIPS 180-2.
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestsEqual(hash, hash)).toBe(true);
    expect(digestsEqual(hash, hashToken(`${token}x`))).toBe(false);
    expect(tokenHint(token)).not.toContain(token.slice(10, -4));
  });

  it('timingSafeEqualText compares every code unit and the lengths', () => {
    expect(timingSafeEqualText('', '')).toBe(true);
    expect(timingSafeEqualText('ab12', 'ab12')).toBe(true);
    expect(timingSafeEqualText('ab12', 'ab13')).toBe(false);
    expect(timingSafeEqualText('ab12', 'ab12\0')).toBe(false);
    expect(timingSafeEqualText('ab12\0', 'ab12')).toBe(false);
    expect(timingSafeEqualText('', 'a')).toBe(false);
    // Beyond Latin-1: a code unit differing only in its high byte is a difference.
    expect(timingSafeEqualText('\u0161', '\u0061')).toBe(false);
    expect(timingSafeEqualText('\u{1F600}', '\u{1F600}')).toBe(true);
    expect(timingSafeEqualText('\u{1F600}', '\u{1F601}')).toBe(false);
  });

  it('timingSafeEqual compares lengths too', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
  });

  it('base64url round-trips every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(() => fromBase64Url('not base64!')).toThrow();
  });
});

describe('passwords (PBKDF2-SHA-256)', () => {
  it('uses at least 210,000 iterations and a per-user salt', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(Number(a.split('$')[1])).toBeGreaterThanOrEqual(210_000);
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(210_000);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('wrong horse', a)).toBe(false);
  });

  it('rejects malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'garbage')).toBe(false);
    expect(await verifyPassword('x', 'pbkdf2-sha256$0$AA$AA')).toBe(false);
  });
});

describe('PBKDF2 in plain JS (for runtimes that cap Web Crypto iterations)', () => {
  it('matches Node and Web Crypto for short, long and block-sized passwords', async () => {
    const { pbkdf2Sync, randomBytes } = await import('node:crypto');
    const { pbkdf2Sha256 } = await import('../../src/crypto/pbkdf2.js');
    const cases: [string, number][] = [['password', 1], ['passwd', 2], ['x'.repeat(64), 50], ['y'.repeat(65), 3], ['pässwörd ✓', 1000]];
    for (const [password, iterations] of cases) {
      const salt = new Uint8Array(randomBytes(16));
      const ours = await pbkdf2Sha256(new TextEncoder().encode(password), salt, iterations);
      expect(Buffer.from(ours).toString('hex'), `${password.length} chars, ${iterations} iterations`).toBe(pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('hex'));
    }
  });

  it('matches the RFC 7914 PBKDF2-HMAC-SHA-256 vector (first 32 bytes)', async () => {
    const { pbkdf2Sha256 } = await import('../../src/crypto/pbkdf2.js');
    const out = await pbkdf2Sha256(new TextEncoder().encode('passwd'), new TextEncoder().encode('salt'), 1);
    expect(Buffer.from(out).toString('hex')).toBe('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc');
  });

  it('verifies a hash made by Web Crypto when Web Crypto refuses the iteration count', async () => {
    const stored = await hashPassword('hunter2-but-longer');
    const original = crypto.subtle.deriveBits.bind(crypto.subtle);
    const spy = vi.spyOn(crypto.subtle, 'deriveBits').mockImplementation(async (algorithm, key, length) => {
      if ((algorithm as Pbkdf2Params).iterations > 100_000) throw new DOMException('iteration counts above 100000 are not supported', 'NotSupportedError');
      return original(algorithm, key, length);
    });
    try {
      expect(await verifyPassword('hunter2-but-longer', stored)).toBe(true);
      expect(await verifyPassword('hunter3-but-longer', stored)).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('SHA-256 in plain JS', () => {
  it('matches Node for every length around the block and padding edges', async () => {
    const { createHash, randomBytes } = await import('node:crypto');
    const { sha256 } = await import('../../src/crypto/sha256.js');
    for (const length of [0, 1, 3, 49, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(Buffer.from(sha256(bytes)).toString('hex'), `${length} bytes`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('HMAC-SHA-256', () => {
  it('matches RFC 4231 test case 2, in base64url', async () => {
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('Jefe'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await hmacSha256Base64Url(key, 'what do ya want for nothing?');
    expect(Buffer.from(fromBase64Url(mac)).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('uses a CSRF key of its own, different for another master secret', async () => {
    const a = await deriveKeys(SECRET);
    const b = await deriveKeys(`${SECRET}-other`);
    expect(await hmacSha256Base64Url(a.csrf, 'x')).toBe(await hmacSha256Base64Url((await deriveKeys(SECRET)).csrf, 'x'));
    expect(await hmacSha256Base64Url(a.csrf, 'x')).not.toBe(await hmacSha256Base64Url(b.csrf, 'x'));
  });
});
