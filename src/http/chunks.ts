/**
 * A body read chunk by chunk, pull-based: a provider's stream (UpstreamAnswer.chunks) and the
 * relayed stream a client gets (src/proxy/relay.ts). The next chunk is only asked for when the
 * reader is ready for it, so a slow reader slows the producer instead of filling memory.
 */

/**
 * One read of a chunked body, as a ReadableStreamDefaultReader answers it. Spelled out rather than
 * named ReadableStreamReadResult, which only the DOM lib declares: an embedding app compiled with
 * Node's types alone must be able to read this declaration.
 */
export type ChunkRead = { done: false; value: Uint8Array } | { done: true; value: Uint8Array | undefined };

/** Chunks read one at a time; shaped like a ReadableStreamDefaultReader, which satisfies it. */
export interface ByteChunks {
  /** The next chunk, or done; rejects when the body broke off or was cancelled. */
  read(): Promise<ChunkRead>;
  /** Stops reading and lets what produces the chunks go. */
  cancel(): Promise<void>;
}

/**
 * A response body every runtime takes: a ReadableStream pulling one chunk per read. Its
 * high-water mark is 0, so nothing is read ahead of the client (RequestContext.streamBody).
 */
export function readableStreamOf(chunks: ByteChunks): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: () => chunks.cancel(),
    },
    { highWaterMark: 0 },
  );
}
