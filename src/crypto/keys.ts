import { utf8 } from './encoding.js';

/** The keys the gateway works with, each derived from the master secret for one purpose only. */
export interface DerivedKeys {
  /** AES-256-GCM: seals provider keys at rest. */
  encryption: CryptoKey;
  /** HS256 key material for session tokens. */
  signing: Uint8Array<ArrayBuffer>;
  /** HMAC-SHA-256: derives each cookie session's CSRF token from the session token (management/session-cookie.ts). */
  csrf: CryptoKey;
}

/**
 * Derives independent keys from the one master secret with HKDF-SHA-256, so the
 * key that encrypts provider keys is never the one that signs sessions, and neither is the
 * one CSRF tokens are made with.
 */
export async function deriveKeys(secret: string): Promise<DerivedKeys> {
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
  const csrf = await crypto.subtle.deriveKey(params('session-csrf'), master, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
  return { encryption, signing, csrf };
}
