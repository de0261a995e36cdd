import { toBase64Url, utf8 } from './encoding.js';

/** HMAC-SHA-256 of `text` under `key` (an HMAC key with `sign`), in base64url: 43 characters. */
export async function hmacSha256Base64Url(key: CryptoKey, text: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(text))));
}
