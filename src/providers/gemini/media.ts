import { bytesToBase64, splitDataUrl } from '../../ir/media.js';

/**
 * Media for Gemini parts. Gemini takes bytes as `inlineData {mimeType, data}` and anything
 * it fetches itself as `fileData {mimeType, fileUri}`, and both need a MIME type: a URL
 * whose type cannot be told is reported as dropped by the caller rather than sent with a
 * guess Gemini would misread.
 */

export interface InlineData {
  mimeType: string;
  data: string;
}

/** Types Gemini documents for image and document input, by file extension. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  gif: 'image/gif',
};

const DOCUMENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
};

export function guessImageType(url: string): string | undefined {
  return typeByExtension(IMAGE_TYPES, url);
}

export function guessDocumentType(url: string): string | undefined {
  return typeByExtension(DOCUMENT_TYPES, url);
}

/** Own keys only: a URL ending in `.constructor` must not find Object.prototype's. */
function typeByExtension(types: Record<string, string>, url: string): string | undefined {
  const extension = extensionOf(url);
  return Object.hasOwn(types, extension) ? types[extension] : undefined;
}

function extensionOf(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return '';
  }
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * A `data:` URL as base64 bytes with their type (RFC 2397). Percent-encoded payloads are
 * re-encoded to base64, byte by byte; a URL without a media type gives undefined, since
 * Gemini needs one.
 */
export function parseDataUrl(url: string): InlineData | undefined {
  const pieces = splitDataUrl(url);
  if (!pieces || !pieces.mediaType) return undefined;
  const { mediaType: mimeType, payload } = pieces;
  if (pieces.base64) return { mimeType, data: payload.replace(/\s+/g, '') };
  try {
    return { mimeType, data: bytesToBase64(percentDecode(payload)) };
  } catch {
    return undefined;
  }
}

/** Lenient: a `%` not followed by two hex digits is the character itself, as browsers read it. */
function percentDecode(text: string): Uint8Array {
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  let i = 0;
  while (i < text.length) {
    const escape = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(escape)) {
      bytes.push(parseInt(escape, 16));
      i += 3;
    } else {
      const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
      bytes.push(...encoder.encode(char));
      i += char.length;
    }
  }
  return Uint8Array.from(bytes);
}
