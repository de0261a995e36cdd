import type { ImagePart } from './chat.js';

/**
 * Bytes as the IR carries them (base64 with a media type) and the `data:` URLs (RFC 2397)
 * clients and providers wrap them in. Web APIs only (atob/btoa), so the core runs on every
 * runtime. How lenient a reader is with odd URLs is the caller's choice: each provider takes
 * the pieces from `splitDataUrl` and applies its own rules.
 */

export interface Base64Data {
  mediaType: string;
  data: string;
}

/** `data:<type>[;params];base64,<data>`: the one data URL form whose bytes can travel as base64 untouched. */
const BASE64_DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

/** A `;base64` data URL as its bytes and type (as written, octet-stream when omitted); undefined for any other text. */
export function parseBase64DataUrl(url: string): Base64Data | undefined {
  const match = BASE64_DATA_URL.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] || 'application/octet-stream', data: match[3] ?? '' };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** An image URL as an IR source: a `;base64` data URL becomes bytes, anything else stays a URL for the provider. */
export function imageSourceFromUrl(url: string): ImagePart['source'] {
  const data = parseBase64DataUrl(url);
  return data ? { type: 'base64', mediaType: data.mediaType, data: data.data } : { type: 'url', url };
}

export interface DataUrlPieces {
  /** The media type, trimmed and lower-cased; '' when the URL names none. */
  mediaType: string;
  /** Whether a `;base64` parameter marks the payload as base64 (else it is percent-encoded). */
  base64: boolean;
  /** Everything after the first comma, untouched. */
  payload: string;
}

/** Any `data:` URL split into its pieces, without judging the payload; undefined when there is no comma. */
export function splitDataUrl(url: string): DataUrlPieces | undefined {
  const match = /^data:([^,]*),(.*)$/is.exec(url);
  if (!match) return undefined;
  const params = (match[1] ?? '').split(';').map((piece) => piece.trim().toLowerCase());
  return { mediaType: params[0] ?? '', base64: params.slice(1).includes('base64'), payload: match[2] ?? '' };
}

/**
 * Whether `text` is standard base64 (whitespace allowed, as RFC 2045 writers wrap lines).
 * Linear: the padding group cannot match what the character class does.
 */
export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/\s]*(?:=\s*){0,2}$/.test(text);
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so a large payload never builds one huge argument list.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** UTF-8 text from base64, or undefined when the base64 is malformed or the bytes are not UTF-8. */
export function base64ToText(data: string): string | undefined {
  try {
    const binary = atob(data);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
