import { bytesToBase64, splitDataUrl, type Base64Data } from '../../ir/media.js';

/**
 * Bytes in the shapes Anthropic accepts them: it takes base64 sources but no `data:` URLs,
 * and plain-text documents as text rather than bytes.
 */

export { base64ToText } from '../../ir/media.js';

/**
 * A `data:` URL (RFC 2397) as its media type and base64 bytes, re-encoding a percent-encoded
 * payload; undefined when the text is not a readable data URL (a malformed escape included).
 */
export function parseDataUrl(url: string): Base64Data | undefined {
  const pieces = splitDataUrl(url);
  if (!pieces) return undefined;
  // RFC 2397: an omitted media type means text/plain.
  const mediaType = pieces.mediaType || 'text/plain';
  try {
    const text = decodeURIComponent(pieces.payload);
    if (pieces.base64) return { mediaType, data: text.replace(/\s+/g, '') };
    return { mediaType, data: bytesToBase64(new TextEncoder().encode(text)) };
  } catch {
    return undefined;
  }
}

/** `Application/PDF; charset=x` → `application/pdf`: parameters carry nothing Anthropic reads. */
export function normalizeMediaType(mediaType: string): string {
  return (mediaType.split(';')[0] ?? '').trim().toLowerCase();
}
