/**
 * An HTTP/1.1 response parser for the Node upstream client (http1-pool.ts), fed the bytes of one
 * connection as they arrive. It does what a client of a JSON and event-stream API needs and is
 * strict about everything that decides where a message ends (RFC 9112 6.3): the status line,
 * Content-Length, Transfer-Encoding: chunked, a body read to the connection's close, interim 1xx
 * answers, and whether the connection can carry another call. A head or chunk line it cannot
 * read exactly is an error and the connection is dropped, as llhttp's strict mode would.
 *
 * The head is decoded once as latin1 (header bytes are octets, RFC 9110 5.5) and its fields are
 * found where they are asked for, by offsets into that string: a provider sends a dozen or two
 * headers and the gateway reads about eight names, most of them absent.
 */

/** What a parser reports, in order: one `head`, any number of `body` chunks, then `end`. */
export interface ResponseEvents {
  head(status: number, fields: ResponseFields): void;
  body(chunk: Buffer): void;
  end(): void;
}

/** A head past this many bytes is refused (Node's own limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line or trailer section past this is refused: no honest server sends one. */
const MAX_LINE_BYTES = 4 * 1024;

/** The response broke the protocol: the connection cannot be trusted for another message. */
export class ResponseProtocolError extends Error {
  constructor(message: string) {
    super(`invalid upstream response: ${message}`);
    this.name = 'ResponseProtocolError';
  }
}

/** What may follow a chunk's size: extensions, each `BWS ";" BWS name [BWS "=" BWS value]` (RFC 9112 7.1.1). */
const CHUNK_EXTENSIONS = /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*[ \t]*$/;
/** One trailer field line (they are read and dropped, but held to the same rules as the head's). */
const TRAILER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*$/;
/** A field value as it can be passed on: visible characters, spaces, tabs and obs-text (RFC 9110 5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The header fields of one response. */
export class ResponseFields {
  /** Per field: where its name starts, its colon, and its line's end, in `head`. */
  constructor(
    private readonly head: string,
    private readonly offsets: number[],
  ) {}

  /**
   * A field's value by lower-case name; repeated fields joined with ", " in order, as Headers
   * joins them (RFC 9110 5.3). A value with a control character in it is left out: it could not
   * be passed on. Checked here rather than over the whole head, which cost a microsecond a call
   * for fields nobody reads.
   */
  get(name: string): string | null {
    const { head, offsets } = this;
    let value: string | null = null;
    for (let i = 0; i < offsets.length; i += 3) {
      const start = offsets[i]!;
      const colon = offsets[i + 1]!;
      if (colon - start !== name.length || head.slice(start, colon).toLowerCase() !== name) continue;
      const next = trimmed(head, colon + 1, offsets[i + 2]!);
      if (!FIELD_VALUE.test(next)) continue;
      value = value === null ? next : `${value}, ${next}`;
    }
    return value;
  }
}

/** `text[start, end)` without the spaces and tabs around it (a field value's OWS); not String.trim, which also takes 0xA0. */
function trimmed(text: string, start: number, end: number): string {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

/** How the head says its body is framed. */
interface Framing {
  /** -1: chunked; -2: until the connection closes; otherwise the body's length. */
  length: number;
  reusable: boolean;
  /** The server's Keep-Alive `timeout`, in seconds, when it gave one. */
  keepAliveSeconds: number | undefined;
}

const CHUNKED = -1;
const UNTIL_CLOSE = -2;

export class ResponseParser {
  private state = State.Head;
  /** A head (or chunk-size line, or trailer section) that has not all arrived yet. */
  private pending: Buffer | undefined;
  private remaining = 0;
  /** Whether the connection may carry another call once this response ends. */
  reusable = false;
  keepAliveSeconds: number | undefined;

  constructor(private readonly events: ResponseEvents) {}

  /** Ready for the next response on the same connection. */
  reset(): void {
    this.state = State.Head;
    this.pending = undefined;
    this.reusable = false;
    this.keepAliveSeconds = undefined;
  }

  /** Whether the response has ended. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether a response has begun arriving (its first byte is in). */
  get started(): boolean {
    return this.state !== State.Head || this.pending !== undefined;
  }

  /** Takes the connection's next bytes. Throws ResponseProtocolError on a response it cannot read. */
  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(data, at);
          break;
        case State.Length:
        case State.ChunkData: {
          const take = Math.min(this.remaining, data.length - at);
          this.remaining -= take;
          const chunk = at === 0 && take === data.length ? data : data.subarray(at, at + take);
          at += take;
          if (this.remaining === 0) {
            if (this.state === State.Length) this.state = State.Done;
            else {
              this.state = State.ChunkDataEnd;
              this.remaining = 2;
            }
          }
          this.events.body(chunk);
          if (this.state === State.Done) this.events.end();
          break;
        }
        case State.ChunkSize:
          at = this.readChunkSize(data, at);
          break;
        case State.ChunkDataEnd:
          at = this.readChunkDataEnd(data, at);
          break;
        case State.Trailers:
          at = this.readTrailers(data, at);
          break;
        case State.UntilClose:
          this.events.body(at === 0 ? data : data.subarray(at));
          at = data.length;
          break;
        case State.Done:
          throw new ResponseProtocolError('bytes after the end of the response');
      }
    }
  }

  /**
   * The connection ended (the server closed it). Completes a body read to the close; throws when
   * a response was cut short.
   */
  close(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.events.end();
      return;
    }
    if (this.state !== State.Done) throw new ResponseProtocolError('the connection closed before the response ended');
  }

  /** Gathers bytes until `needle` appears; returns the gathered buffer and the needle's index in it, or undefined to wait for more. */
  private gather(data: Buffer, at: number, needle: string, limit: number): { buffer: Buffer; index: number } | undefined {
    const pending = this.pending;
    let buffer: Buffer;
    let from: number;
    if (pending === undefined) {
      buffer = at === 0 ? data : data.subarray(at);
      from = 0;
    } else {
      buffer = Buffer.concat([pending, data.subarray(at)]);
      // The needle may straddle the two parts.
      from = Math.max(0, pending.length - needle.length + 1);
    }
    const index = buffer.indexOf(needle, from, 'latin1');
    if (index === -1 || index > limit) {
      if (buffer.length > limit) throw new ResponseProtocolError('a head or chunk line too large');
      // Copied: `data` is the socket's, and may be reused once this returns.
      this.pending = pending === undefined ? Buffer.from(buffer) : buffer;
      return undefined;
    }
    this.pending = undefined;
    return { buffer, index };
  }

  /** Where in `data` the next state starts, once the head (ending in an empty line) is in. */
  private readHead(data: Buffer, at: number): number {
    const pendingLength = this.pending?.length ?? 0;
    const found = this.gather(data, at, '\r\n\r\n', MAX_HEAD_BYTES);
    if (found === undefined) return data.length;
    const { buffer, index } = found;
    // Bytes of `buffer` past the head: where the body starts in `data`.
    const next = at + (index + 4 - pendingLength);
    const head = buffer.toString('latin1', 0, index + 2);
    // An interim answer (100 Continue, 103 Early Hints) leaves the state at Head: the final one follows.
    if (this.parseHead(head) === 101) throw new ResponseProtocolError('an upgrade the client did not ask for');
    return next;
  }

  /** Parses a whole head (ending in CRLF), reports it and sets the body's state; returns the status. */
  private parseHead(head: string): number {
    const lineEnd = head.indexOf('\r\n');
    // "HTTP/1.1 200 OK": the reason phrase may be empty, and so may the space before it.
    if (lineEnd < 12 || head.indexOf('\n') !== lineEnd + 1 || head.indexOf('\r') !== lineEnd || !head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 0x20 || (lineEnd > 12 && head.charCodeAt(12) !== 0x20)) {
      throw new ResponseProtocolError('a malformed status line');
    }
    const minor = head.charCodeAt(7) - 0x30;
    const status = digit(head, 9) * 100 + digit(head, 10) * 10 + digit(head, 11);
    if ((minor !== 0 && minor !== 1) || !(status >= 100 && status <= 999)) throw new ResponseProtocolError('a malformed status line');

    const offsets: number[] = [];
    let contentLength: string | undefined;
    let transferEncoding: string | undefined;
    let connection: string | undefined;
    let keepAlive: string | undefined;
    let start = lineEnd + 2;
    while (start < head.length) {
      const end = head.indexOf('\r\n', start);
      const colon = head.indexOf(':', start);
      // No colon, an empty name, a name ending in whitespace (RFC 9112 5.1), an obsolete folded
      // line, or a CR or LF that does not end the line (one could hide a field from this parser).
      if (colon === -1 || colon > end || colon === start || isBlank(head.charCodeAt(colon - 1)) || isBlank(head.charCodeAt(start))) {
        throw new ResponseProtocolError('a malformed header line');
      }
      if (head.indexOf('\n', start) !== end + 1 || head.indexOf('\r', start) !== end) throw new ResponseProtocolError('a CR or LF inside a header line');
      offsets.push(start, colon, end);
      // Only the few names that frame the message are looked at here; the others when asked for.
      const length = colon - start;
      if (length === 14 || length === 17 || length === 10) {
        const name = head.slice(start, colon).toLowerCase();
        const value = trimmed(head, colon + 1, end);
        if (name === 'content-length') {
          if (contentLength !== undefined && contentLength !== value) throw new ResponseProtocolError('conflicting Content-Length fields');
          contentLength = value;
        } else if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        else if (name === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
        else if (name === 'keep-alive') keepAlive = value;
      }
      start = end + 2;
    }
    if (status < 200) return status;

    const framing = frame(status, minor, contentLength, transferEncoding, connection, keepAlive);
    this.reusable = framing.reusable;
    this.keepAliveSeconds = framing.keepAliveSeconds;
    this.events.head(status, new ResponseFields(head, offsets));
    if (framing.length === 0) {
      this.state = State.Done;
      this.events.end();
    } else if (framing.length === CHUNKED) this.state = State.ChunkSize;
    else if (framing.length === UNTIL_CLOSE) this.state = State.UntilClose;
    else {
      this.state = State.Length;
      this.remaining = framing.length;
    }
    return status;
  }

  /** `1*HEXDIG [ chunk-ext ] CRLF` (RFC 9112 7.1). */
  private readChunkSize(data: Buffer, at: number): number {
    const pendingLength = this.pending?.length ?? 0;
    const found = this.gather(data, at, '\r\n', MAX_LINE_BYTES);
    if (found === undefined) return data.length;
    const { buffer, index } = found;
    let size = 0;
    let digits = 0;
    let significant = 0;
    for (; digits < index; digits++) {
      const value = hexValue(buffer[digits]!);
      if (value === -1) break;
      // 13 hex digits (leading zeros aside) stay below 2^53; a chunk that large is not an answer's anyway.
      if ((size > 0 || value > 0) && ++significant > 13) throw new ResponseProtocolError('a chunk size too large');
      size = size * 16 + value;
    }
    // After the digits: the line's end, or chunk extensions (read past, as no client needs them).
    if (digits === 0 || (digits < index && !CHUNK_EXTENSIONS.test(buffer.toString('latin1', digits, index)))) {
      throw new ResponseProtocolError('a malformed chunk size line');
    }
    const next = at + (index + 2 - pendingLength);
    if (size === 0) this.state = State.Trailers;
    else {
      this.state = State.ChunkData;
      this.remaining = size;
    }
    return next;
  }

  /** The CRLF after a chunk's data: `remaining` counts its bytes still to come. */
  private readChunkDataEnd(data: Buffer, at: number): number {
    while (this.remaining > 0 && at < data.length) {
      if (data[at] !== (this.remaining === 2 ? 0x0d : 0x0a)) throw new ResponseProtocolError('a chunk not followed by CRLF');
      this.remaining--;
      at++;
    }
    if (this.remaining === 0) this.state = State.ChunkSize;
    return at;
  }

  /** Trailer fields after the last chunk (ignored), then the empty line that ends the message. */
  private readTrailers(data: Buffer, at: number): number {
    const pendingLength = this.pending?.length ?? 0;
    // No trailers is the usual case: the message ends with the CRLF right after the last chunk's line.
    const needle = (this.pending === undefined ? data[at] : this.pending[0]) === 0x0d ? '\r\n' : '\r\n\r\n';
    const found = this.gather(data, at, needle, MAX_LINE_BYTES);
    if (found === undefined) return data.length;
    if (needle === '\r\n' && found.index !== 0) throw new ResponseProtocolError('a malformed trailer section');
    if (needle !== '\r\n' && !found.buffer.toString('latin1', 0, found.index).split('\r\n').every((line) => TRAILER_LINE.test(line))) {
      throw new ResponseProtocolError('a malformed trailer section');
    }
    this.state = State.Done;
    this.events.end();
    return at + (found.index + needle.length - pendingLength);
  }
}

function digit(text: string, index: number): number {
  const value = text.charCodeAt(index) - 0x30;
  return value >= 0 && value <= 9 ? value : Number.NaN;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Whether a comma-separated field value lists `token` (compared without case). */
function listsToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  return value
    .toLowerCase()
    .split(',')
    .some((item) => item.trim() === token);
}

/** How a final response's body is framed, and whether its connection can be reused (RFC 9112 6.3, 9.3). */
function frame(
  status: number,
  minor: number,
  contentLength: string | undefined,
  transferEncoding: string | undefined,
  connection: string | undefined,
  keepAlive: string | undefined,
): Framing {
  // HTTP/1.0 connections close unless kept alive; ours are never asked to be.
  let reusable = minor === 1 && !listsToken(connection, 'close');
  let length: number;
  if (status === 204 || status === 304) length = 0;
  else if (transferEncoding !== undefined) {
    const codings = transferEncoding.toLowerCase().split(',');
    const last = codings[codings.length - 1]!.trim();
    // chunked last frames the message; anything else runs to the close. With a Content-Length
    // as well, the response may be an attempt at smuggling: read it by its encoding, then close.
    if (last === 'chunked') length = CHUNKED;
    else {
      length = UNTIL_CLOSE;
      reusable = false;
    }
    if (contentLength !== undefined || minor === 0) reusable = false;
  } else if (contentLength !== undefined) {
    if (!/^\d{1,15}$/.test(contentLength)) throw new ResponseProtocolError('an invalid Content-Length');
    length = Number(contentLength);
  } else {
    length = UNTIL_CLOSE;
    reusable = false;
  }
  let keepAliveSeconds: number | undefined;
  if (keepAlive !== undefined) {
    const match = /(?:^|[,\s])timeout\s*=\s*(\d+)/i.exec(keepAlive);
    if (match) keepAliveSeconds = Number(match[1]);
  }
  return { length, reusable, keepAliveSeconds };
}
