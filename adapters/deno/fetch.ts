/**
 * The outbound fetch on Deno: the global fetch, with a string body sent as a stream.
 *
 * Deno's HTTP client sends a request a second time when the keep-alive connection it reused is
 * reset before any answer byte, whenever it can replay the body: a POST the provider had read
 * in full (and may bill for) went out twice, and the retry's answer hid the reset from the
 * gateway, whose own failover decides about retries. A body given as a stream cannot be replayed,
 * so each call is sent once. The cost: over HTTP/1.1 the body goes chunked instead of with a
 * Content-Length (HTTP/2, which HTTPS providers speak, has neither).
 */
export function createDenoFetch(base: typeof fetch = fetch): typeof fetch {
  const encoder = new TextEncoder();
  return (input, init) => {
    const body = init?.body;
    if (typeof body !== 'string') return base(input, init);
    const bytes = encoder.encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    return base(input, { ...init, body: stream, duplex: 'half' } as RequestInit);
  };
}
