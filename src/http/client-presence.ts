/**
 * Whether the client that made a request is still there, and a way to hear when it leaves: what
 * the gateway needs of `request.signal` on a proxied call (cancel the provider's call when the
 * client hangs up, stop trying further models for nobody). A port, because on Node reading
 * `request.signal` builds an AbortController and an EventTarget per request (@hono/node-server
 * makes them lazily, on first read), which cost more than anything else the gateway allocated for
 * a call; the Node adapter answers from the response's `close` event instead. Runtimes whose
 * requests carry a signal anyway (Workers, Bun, Deno, embedders) get `signalPresence`.
 */
export interface ClientPresence {
  /** Whether the client has gone (closed its connection before its answer was complete). */
  readonly gone: boolean;
  /**
   * `listener` runs once when the client goes; never if it already has (check `gone` first).
   * Returns what stops listening.
   */
  onGone(listener: () => void): () => void;
}

/** The presence of a request's client as its AbortSignal tells it, read only when first asked. */
export function signalPresence(request: Request): ClientPresence {
  return {
    get gone() {
      return request.signal.aborted;
    },
    onGone(listener) {
      const signal = request.signal;
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}
