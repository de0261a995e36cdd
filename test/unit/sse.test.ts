import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/sse/parser.js';
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
