import { GatewayError } from '../errors.js';
import type { HeaderReader } from './header-fields.js';

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Reads a request body as UTF-8 text, refusing with 413 as soon as it passes `limit`
 * (by Content-Length when the client sent one, else while reading), so an oversized
 * body is never held in memory whole.
 */
export async function readBodyText(
  request: Request,
  limit: number,
  headers: HeaderReader = request.headers,
  readDeclared?: (length: number) => Promise<Uint8Array>,
): Promise<string> {
  const declared = headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  // With a declared length the HTTP parser already bounds the body, so it can be read in one
  // go: runtimes such as @hono/node-server then read it straight off the socket, and touching
  // `request.body` first would make them build a stream for nothing. A runtime that can do
  // better still gives `readDeclared` (RequestContext.readBody).
  if (declared !== null && /^\d+$/.test(declared)) return decodeUtf8(readDeclared ? await readDeclared(Number(declared)) : new Uint8Array(await request.arrayBuffer()));
  if (!request.body) return '';
  const bytes = await readAllBounded(request.body, limit);
  if (!bytes) throw tooLarge(limit);
  return decodeUtf8(bytes);
}

/**
 * Reads a whole byte stream, or stops (cancelling it) once it passes `limit` bytes and
 * answers undefined: request bodies and provider answers are both read this way, so
 * neither is ever held whole past its cap.
 */
export async function readAllBounded(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  // Most answers arrive in one chunk: hand it over without a copy.
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength && only.buffer instanceof ArrayBuffer) {
    return only as Uint8Array<ArrayBuffer>;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new GatewayError('invalid_json', 'the request body is not valid UTF-8');
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('payload_too_large', `the request body exceeds the limit of ${limit} bytes`);
}

/** Parses a JSON object body, or fails with the 400 a client can act on. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_json', `the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('invalid_request', 'the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Refuses a body that is not declared as JSON, where a content type is given at all. */
export function assertJsonContentType(headers: HeaderReader): void {
  const type = headers.get('content-type');
  if (type !== null && type !== '' && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new GatewayError('unsupported_media_type', `expected an application/json body, got ${type}`);
  }
}
