/**
 * The one Server-Sent Events parser of the codebase (WHATWG HTML §9.2 event stream format).
 * Incremental: feed it text as it arrives and it returns the events completed so far,
 * each with the exact text of its block so a caller can forward it unchanged.
 */
export interface SseEvent {
  /** The `event:` field, or undefined for the default "message" type. */
  event?: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  id?: string;
  retry?: number;
  /** The block as received, including its terminating blank line. */
  raw: string;
}

export class SseParser {
  private buffer = '';
  /**
   * How far the buffer is known to hold no complete blank line. A long event arriving in
   * many chunks is then searched once, not once per chunk from its start (which is quadratic
   * in the event's size: an upstream sending one huge event could hold the event loop).
   */
  private scanned = 0;

  /** Adds text and returns every event that is now complete. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const end = findBlockEnd(this.buffer, this.scanned);
      if (!end) {
        // A blank line may straddle the next chunk: look again at the last few characters.
        this.scanned = Math.max(0, this.buffer.length - 3);
        break;
      }
      const raw = this.buffer.slice(0, end.next);
      this.buffer = this.buffer.slice(end.next);
      this.scanned = 0;
      const event = parseBlock(raw.slice(0, end.at), raw);
      if (event) events.push(event);
    }
    return events;
  }

  /** Text received after the last complete event (an unterminated block at end of stream). */
  rest(): string {
    return this.buffer;
  }

  /** Characters of the event still being received: what a cap on one event's size is checked against. */
  get pendingLength(): number {
    return this.buffer.length;
  }
}

const BLANK_LINE = /(\r\n|\r|\n)(\r\n|\r|\n)/g;

/** Finds the first blank line at or after `from`: `\n\n`, `\r\r` or `\r\n\r\n` (any mix of line endings is legal). */
function findBlockEnd(buffer: string, from: number): { at: number; next: number } | undefined {
  // Most streams end their lines with \n alone: then the blank line is the first "\n\n", and two
  // plain searches find it several times faster than the regular expression (every chunk of every
  // stream comes through here).
  if (buffer.indexOf('\r', from) === -1) {
    const at = buffer.indexOf('\n\n', from);
    return at === -1 ? undefined : { at, next: at + 2 };
  }
  BLANK_LINE.lastIndex = from;
  const match = BLANK_LINE.exec(buffer);
  if (!match) return undefined;
  // A lone trailing "\r" could still become "\r\n": wait for the next byte before deciding.
  const next = match.index + match[0].length;
  if (buffer[next - 1] === '\r' && next === buffer.length) return undefined;
  return { at: match.index, next };
}

function parseBlock(block: string, raw: string): SseEvent | undefined {
  // Most blocks are one `data: …` line: read without splitting it into lines. (The block ends
  // before its blank line, so without a line break it has only this line.)
  if (block.startsWith('data: ') && block.indexOf('\n') === -1 && block.indexOf('\r') === -1) {
    return { event: undefined, data: block.slice(6), id: undefined, retry: undefined, raw };
  }
  const data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let retry: number | undefined;
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  if (data.length === 0 && event === undefined) return undefined;
  return { event, data: data.join('\n'), id, retry, raw };
}
