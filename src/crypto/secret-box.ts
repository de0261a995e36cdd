import { fromBase64Url, randomBytes, toBase64Url, utf8 } from './encoding.js';

/**
 * AES-256-GCM sealing of provider API keys at rest. The stored form is
 * `v1.<iv>.<ciphertext+tag>` in base64url; the version prefix leaves room to rotate the scheme.
 * `context` (the model id) is bound as additional data, so a sealed key copied onto
 * another model does not decrypt.
 */
export async function seal(key: CryptoKey, plaintext: string, context: string): Promise<string> {
  const iv = randomBytes(12);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(context) },
    key,
    utf8.encode(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
}

export async function open(key: CryptoKey, sealed: string, context: string): Promise<string> {
  const [version, iv, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !data) throw new Error('unrecognised sealed value');
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: utf8.encode(context) },
    key,
    fromBase64Url(data),
  );
  return utf8.decode(new Uint8Array(plaintext));
}
