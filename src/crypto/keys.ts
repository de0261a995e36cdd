import { utf8 } from './encoding.js';

/**
 * Derives independent keys from the one master secret with HKDF-SHA-256, so the
 * key that encrypts provider keys is never the one that signs sessions.
 */
export async function deriveKeys(secret: string): Promise<{ encryption: CryptoKey; signing: Uint8Array<ArrayBuffer> }> {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new Error('the master secret must be at least 32 characters');
  }
  const master = await crypto.subtle.importKey('raw', utf8.encode(secret), 'HKDF', false, ['deriveKey', 'deriveBits']);
  const params = (info: string): HkdfParams => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: utf8.encode('routerly/v1'),
    info: utf8.encode(info),
  });
  const encryption = await crypto.subtle.deriveKey(
    params('provider-keys'),
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const signing = new Uint8Array(await crypto.subtle.deriveBits(params('session-jwt'), master, 256));
  return { encryption, signing };
}
