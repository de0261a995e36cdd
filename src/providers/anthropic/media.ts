/**
 * Bytes in the shapes Anthropic accepts them: it takes base64 sources but no `data:` URLs,
 * and plain-text documents as text rather than bytes. Web APIs only (atob/btoa), so the
 * core runs on every runtime.
 */

export interface Base64Data {
  mediaType: string;
  data: string;
}

/**
 * Splits a `data:` URL (RFC 2397) into its media type and base64 bytes, re-encoding a
 * percent-encoded payload; undefined when the text is not a readable data URL.
 */
export function parseDataUrl(url: string): Base64Data | undefined {
  const match = /^data:([^,]*),(.*)$/is.exec(url);
  if (!match) return undefined;
  const params = (match[1] ?? '').split(';').map((piece) => piece.trim());
  const isBase64 = params.slice(1).some((piece) => piece.toLowerCase() === 'base64');
  // RFC 2397: an omitted media type means text/plain.
  const mediaType = normalizeMediaType(params[0] || 'text/plain');
  const payload = match[2] ?? '';
  try {
    if (isBase64) return { mediaType, data: decodeURIComponent(payload).replace(/\s+/g, '') };
    return { mediaType, data: bytesToBase64(new TextEncoder().encode(decodeURIComponent(payload))) };
  } catch {
    return undefined;
  }
}

/** `Application/PDF; charset=x` → `application/pdf`: parameters carry nothing Anthropic reads. */
export function normalizeMediaType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}

/** UTF-8 text from base64, or undefined when the base64 is malformed or the bytes are not UTF-8. */
export function base64ToText(data: string): string | undefined {
  try {
    const binary = atob(data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so a large payload never builds one huge argument list.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
