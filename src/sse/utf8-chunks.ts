/** The stream's first bytes: a leading byte-order mark is dropped, as a streaming TextDecoder drops it. */
const atStart = new TextDecoder();
/** Inside the stream: a byte-order mark there is text. */
const inside = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes a byte stream chunk by chunk as UTF-8, giving the text a streaming TextDecoder would
 * give (invalid bytes as U+FFFD, a leading BOM dropped). A chunk that ends in an ASCII byte, with
 * nothing carried over from the one before, ends on a character boundary: it is decoded in one
 * call of a shared decoder. Only a chunk that may end inside a character goes through a decoder
 * of the stream's own, which holds the partial character for the next chunk. SSE chunks end in
 * "\n" almost always, and on Node 20 a streaming decode costs about four times a whole one, plus
 * the making of a converter for every stream.
 */
export class Utf8Chunks {
  private streaming: TextDecoder | undefined;
  /** The streaming decoder may hold the start of a character. */
  private carrying = false;
  private started = false;

  decode(chunk: Uint8Array): string {
    // Nothing to decode, and a character carried over is still being carried.
    if (chunk.length === 0) return '';
    const endsInAscii = chunk[chunk.length - 1]! < 0x80;
    const first = !this.started;
    this.started = true;
    if (endsInAscii && !this.carrying) return (first ? atStart : inside).decode(chunk);
    this.streaming ??= new TextDecoder('utf-8', { ignoreBOM: !first });
    this.carrying = !endsInAscii;
    return this.streaming.decode(chunk, { stream: true });
  }
}
