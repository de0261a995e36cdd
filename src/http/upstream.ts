import { readAllBounded } from './body.js';
import type { ByteChunks } from './chunks.js';
import { headersInit, type HeaderMap } from './header-fields.js';

/**
 * The gateway's port to its providers: one call out, and its answer as a small interface each
 * runtime implements natively. Node reads straight from node:http without building a WHATWG
 * Response, Headers or AbortController (adapters/node/upstream.ts); Workers, Bun, Deno and
 * embedders who pass only `fetch` get `fetchUpstream`, which wraps their native Response.
 */

/** One call to a provider: always a POST of a string body. */
export interface OutboundRequest {
  url: string;
  headers: HeaderMap;
  body: string;
}

/** Something whose headers can be read by (lower-case) name. */
export interface HeaderSource {
  header(name: string): string | null;
}

/** A provider's answer, its headers in. */
export interface UpstreamAnswer extends HeaderSource {
  readonly status: number;
  /**
   * The whole body, or null once it passes `limit` bytes (what was read is dropped and the
   * answer cancelled). Rejects when the connection breaks or the call is cancelled.
   */
  bytes(limit: number): Promise<Uint8Array<ArrayBuffer> | null>;
  /** The body chunk by chunk (streams); null for an answer without a body. Called at most once, instead of `bytes`. */
  chunks(): ByteChunks | null;
  /** Lets the answer go unread (a refusal the call fails over from). */
  cancel(): void;
}

/**
 * How the core cancels a call it made (a timeout, the client gone, an answer past its cap):
 * the sender registers what cancelling means for it, which costs nothing until it happens.
 */
export interface UpstreamControl {
  /** `callback` runs once when the call is cancelled, at once if it already is. */
  onCancel(callback: (reason: Error) => void): void;
  /** Whether the client asked for a stream: a sender may read streams and whole answers differently. */
  readonly stream?: boolean;
}

/** Sends one call; resolves once the answer's headers are in, rejects when it could not be made. */
export type UpstreamSend = (request: OutboundRequest, control: UpstreamControl) => Promise<UpstreamAnswer>;

/** The sender over a `fetch`-like function: the default, where the runtime's native answer is a Response. */
export function fetchUpstream(fetchFn: typeof fetch): UpstreamSend {
  return async (request, control) => {
    // A fetch can only be cancelled through a signal given when it starts.
    const controller = new AbortController();
    control.onCancel((reason) => controller.abort(reason));
    const response = await fetchFn(request.url, {
      method: 'POST',
      headers: headersInit(request.headers),
      body: request.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    return responseAnswer(response);
  };
}

/** A WHATWG Response as an UpstreamAnswer. */
export function responseAnswer(response: Response): UpstreamAnswer {
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    async bytes(limit) {
      if (!response.body) return new Uint8Array(0);
      return (await readAllBounded(response.body, limit)) ?? null;
    },
    chunks: () => response.body?.getReader() ?? null,
    cancel() {
      void response.body?.cancel().catch(() => undefined);
    },
  };
}
