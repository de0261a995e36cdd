/**
 * A Server-Sent Events reader over fetch's ReadableStream: EventSource cannot send a POST body
 * or an Authorization header, which the proxy's streamed calls need.
 */

export interface SseEvent {
  /** The `event:` field; undefined for the default `message`. */
  event?: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
}

/**
 * The events of a text/event-stream body, as they arrive. Follows the HTML spec's parsing:
 * lines end in CRLF, LF or CR; `:` lines are comments; a blank line dispatches the event; an
 * event without data is dropped. Stops when the body ends (or the fetch's signal aborts it).
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  // A CR at the end of a chunk may be the first half of a CRLF split across chunks.
  let pendingCr = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // `stream: true` keeps a multi-byte character split across chunks whole.
      let text = decoder.decode(value, { stream: true });
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        if (end === -1) break;
        if (buffer[end] === '\r' && end === buffer.length - 1) pendingCr = true;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { event, data: data.join('\n') };
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'data') data.push(fieldValue);
        else if (field === 'event') event = fieldValue;
      }
    }
    // A body that ends without the final blank line still delivers its last event.
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield { event, data: data.join('\n') };
  } finally {
    // A reader that stops early (Stop, an error event) lets go of the connection too.
    reader.cancel().catch(() => undefined);
  }
}
