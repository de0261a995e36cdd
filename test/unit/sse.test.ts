import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/sse/parser.js';
import { formatSseEvent } from '../../src/sse/writer.js';

describe('SseParser', () => {
  it('parses events split across arbitrary chunk boundaries and keeps each raw block', () => {
    const stream = 'event: message_start\ndata: {"a":1}\n\n: comment\n\ndata: one\ndata: two\n\nid: 7\nretry: 10\ndata: x\n\n';
    for (let size = 1; size <= stream.length; size++) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events.map((e) => [e.event, e.data, e.id, e.retry])).toEqual([
        ['message_start', '{"a":1}', undefined, undefined],
        [undefined, 'one\ntwo', undefined, undefined],
        [undefined, 'x', '7', 10],
      ]);
      expect(events.map((e) => e.raw).join('')).toBe(stream.replace(': comment\n\n', ''));
    }
  });

  it('accepts CRLF and CR line endings, and a CR split from its LF', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\r\n\r')).toEqual([]);
    const events = parser.push('\ndata: b\r\rdata: c');
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
    expect(parser.rest()).toBe('data: c');
  });

  it('strips one leading space only, and treats a field without a colon as empty', () => {
    const [event] = new SseParser().push('data:  two spaces\nevent\n\n');
    expect(event).toMatchObject({ data: ' two spaces', event: '' });
  });
});

describe('formatSseEvent', () => {
  it('round-trips through the parser, multi-line data included', () => {
    const text = formatSseEvent({ event: 'error', data: 'line1\nline2' });
    expect(text).toBe('event: error\ndata: line1\ndata: line2\n\n');
    expect(new SseParser().push(text)[0]).toMatchObject({ event: 'error', data: 'line1\nline2' });
  });
});

describe('SseParser across chunk boundaries', () => {
  // A deterministic generator, so a failure can be reproduced.
  let state = 11;
  const next = (n: number) => (state = (state * 1103515245 + 12345) & 0x7fffffff) % n;
  const endings = ['\n', '\r', '\r\n'];

  it('reads the same events however the bytes are cut, for each kind of line ending', () => {
    for (let round = 0; round < 200; round++) {
      let text = '';
      // Each event keeps one line ending (a "\r" line end followed by a "\n" blank line would read as "\r\n").
      for (let e = 0; e < 1 + next(5); e++) {
        const eol = endings[next(3)]!;
        text += `event: e${e}${eol}data: ${'x'.repeat(next(40))}${eol}data: tail${e}${eol}${eol}`;
      }
      const whole = new SseParser().push(text);
      const parser = new SseParser();
      const pieces: SseEvent[] = [];
      for (let at = 0; at < text.length; ) {
        const size = 1 + next(7);
        pieces.push(...parser.push(text.slice(at, at + size)));
        at += size;
      }
      // A lone trailing "\r" waits for the next byte; a final empty push is how the body's end would look.
      expect(pieces.map((e) => [e.event, e.data])).toEqual(whole.map((e) => [e.event, e.data]).slice(0, pieces.length));
      expect(whole.length - pieces.length).toBeLessThanOrEqual(1);
    }
  });

  it('keeps an event still being received as pending, for the size cap to see', () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":')).toEqual([]);
    expect(parser.push('"b"}')).toEqual([]);
    expect(parser.pendingLength).toBe('data: {"a":"b"}'.length);
    expect(parser.push('\n\n').map((e) => e.data)).toEqual(['{"a":"b"}']);
    expect(parser.pendingLength).toBe(0);
  });
});
