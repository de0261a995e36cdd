/**
 * Gemini attaches a `thoughtSignature` to the parts it returns (most importantly to its
 * `functionCall` parts) and Gemini 3 models refuse the next request when a function call in
 * the current turn comes back without it. The IR's tool call has no signature field, and
 * OpenAI-style clients only ever echo the tool call's id, so the signature (and Gemini's own
 * `functionCall.id`, when it gave one) travels inside the id the client sees:
 *
 *     gtc_<nonce>_<gemini id as lowercase hex>_<signature form>
 *
 * - `nonce`: random letters and digits, so every call's id is unique;
 * - the Gemini id is hex-encoded UTF-8 (empty when Gemini gave none), so it holds no `_`;
 * - the signature form is empty (no signature), `b` + the signature in base64url without
 *   padding when it is canonical padded base64 (the usual case: no growth), or `r` +
 *   base64url of its UTF-8 bytes for anything else. Both are exactly reversible.
 *
 * Only `[A-Za-z0-9_-]` appear, which every client format accepts (Anthropic's tool ids are
 * restricted to that set). The ids are long when a signature rides along (signatures run to
 * kilobytes): a provider with an id length limit must shorten them itself.
 *
 * Thinking signatures get a prefix instead (they have a field of their own): see
 * GEMINI_SIGNATURE_PREFIX.
 */

const TOOL_CALL_PREFIX = 'gtc_';
const TOOL_CALL_PATTERN = /^gtc_([A-Za-z0-9]+)_((?:[0-9a-f]{2})*)_(?:([br])([A-Za-z0-9_-]*))?$/;
const CANONICAL_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * IR thinking signatures that came from Gemini carry this prefix. It tells the Gemini
 * encoder which signatures it may send back (another provider's signature, an Anthropic one
 * say, would make Gemini refuse the request as corrupted) and lets other providers recognise
 * and skip Gemini's. The prefix is stripped on the way back, so Gemini gets its bytes exactly.
 */
export const GEMINI_SIGNATURE_PREFIX = 'gemini:';

export interface GeminiCallRef {
  /** Gemini's `functionCall.id`, when it gave one. */
  geminiId?: string;
  thoughtSignature?: string;
}

export function randomToken(length = 24): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** The IR id for a function call Gemini returned. Calls with neither id nor signature get a plain random id. */
export function encodeToolCallId(ref: GeminiCallRef): string {
  const { geminiId, thoughtSignature } = ref;
  if (!geminiId && !thoughtSignature) return `call_${randomToken()}`;
  const idHex = geminiId ? toHex(new TextEncoder().encode(geminiId)) : '';
  return `${TOOL_CALL_PREFIX}${randomToken(12)}_${idHex}_${thoughtSignature ? signatureForm(thoughtSignature) : ''}`;
}

/** What an IR tool call id carries for Gemini; an id this codec did not make carries nothing. */
export function decodeToolCallId(id: string): GeminiCallRef {
  const match = TOOL_CALL_PATTERN.exec(id);
  if (!match) return {};
  const [, , idHex = '', mode, payload = ''] = match;
  const ref: GeminiCallRef = {};
  try {
    if (idHex) ref.geminiId = new TextDecoder('utf-8', { fatal: true }).decode(fromHex(idHex));
    if (mode === 'b') ref.thoughtSignature = base64UrlToBase64(payload);
    else if (mode === 'r') ref.thoughtSignature = new TextDecoder('utf-8', { fatal: true }).decode(base64UrlToBytes(payload));
  } catch {
    // A mangled id: send nothing rather than garbage Gemini would reject as corrupted.
    return {};
  }
  return ref;
}

function signatureForm(signature: string): string {
  if (signature.length % 4 === 0 && CANONICAL_BASE64.test(signature)) {
    return `b${signature.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')}`;
  }
  return `r${bytesToBase64Url(new TextEncoder().encode(signature))}`;
}

function base64UrlToBase64(text: string): string {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}

function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
}

function base64UrlToBytes(text: string): Uint8Array {
  const binary = atob(base64UrlToBase64(text));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
