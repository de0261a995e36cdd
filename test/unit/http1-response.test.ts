import { describe, expect, it } from 'vitest';
import { ResponseParser, type ResponseFields } from '../../adapters/node/http1-response.js';

/** What a parser reported for one connection's bytes. */
interface Parsed {
  statuses: number[];
  fields: ResponseFields[];
  body: string;
  ended: number;
  reusable: boolean;
  keepAliveSeconds: number | undefined;
}

function parser() {
  const parsed: Parsed = { statuses: [], fields: [], body: '', ended: 0, reusable: false, keepAliveSeconds: undefined };
  const instance = new ResponseParser({
    head(status, fields) {
      parsed.statuses.push(status);
      parsed.fields.push(fields);
    },
    body(chunk) {
      parsed.body += chunk.toString('latin1');
    },
    end() {
      parsed.ended++;
      parsed.reusable = instance.reusable;
      parsed.keepAliveSeconds = instance.keepAliveSeconds;
    },
  });
  return { instance, parsed };
}

/** Feeds `wire` in pieces cut at `cuts`, each piece a fresh Buffer as a socket hands them over. */
function feed(wire: string, cuts: number[] = []): Parsed {
  const { instance, parsed } = parser();
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    if (cut > from) instance.feed(Buffer.from(wire.slice(from, cut), 'latin1'));
    from = cut;
  }
  return parsed;
}

/** The same bytes fed whole, cut at every offset, and one byte at a time, all parse alike. */
function expectSameEverySplit(wire: string): Parsed {
  const whole = feed(wire);
  for (let cut = 1; cut < wire.length; cut++) {
    const split = feed(wire, [cut]);
    expect({ ...split, fields: split.fields.map((f) => f.get('content-type')) }, `cut at ${cut}`).toEqual({ ...whole, fields: whole.fields.map((f) => f.get('content-type')) });
  }
  const bytewise = feed(
    wire,
    Array.from({ length: wire.length }, (_, i) => i),
  );
  expect(bytewise.body).toBe(whole.body);
  expect(bytewise.ended).toBe(1);
  return whole;
}

const errorOf = (wire: string) => {
  try {
    feed(wire);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('the upstream HTTP/1.1 response parser', () => {
  it('reads a head and a Content-Length body, however the bytes are cut', () => {
    const parsed = expectSameEverySplit('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}');
    expect(parsed).toMatchObject({ statuses: [200], body: '{"ok":true}', ended: 1, reusable: true, keepAliveSeconds: undefined });
  });

  it('reads a chunked body with extensions and trailers, however the bytes are cut', () => {
    const parsed = expectSameEverySplit(
      'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '6\r\ndata: \r\nA;name=value\r\none\n\ndata:\r\n' +
        '0\r\nX-Checksum: abc\r\n\r\n',
    );
    expect(parsed).toMatchObject({ statuses: [200], body: 'data: one\n\ndata:', ended: 1, reusable: true });
  });

  it('reads chunk sizes with leading zeros, and quoted extension values', () => {
    const parsed = expectSameEverySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000003 ; a = "q\\"s;x" ;b\r\nabc\r\n00\r\n\r\n');
    expect(parsed).toMatchObject({ body: 'abc', ended: 1, reusable: true });
  });

  it('ends a chunked body without trailers at the empty line after the last chunk', () => {
    const parsed = expectSameEverySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(parsed).toMatchObject({ body: 'abc', ended: 1, reusable: true });
  });

  it('skips interim answers and reports the final one', () => {
    const parsed = expectSameEverySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    expect(parsed).toMatchObject({ statuses: [201], body: 'ok', ended: 1 });
  });

  it('reads no body for 204 and 304, and an empty one for Content-Length 0', () => {
    expect(feed('HTTP/1.1 204 No Content\r\n\r\n')).toMatchObject({ statuses: [204], body: '', ended: 1, reusable: true });
    expect(feed('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')).toMatchObject({ body: '', ended: 1 });
    expect(feed('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ body: '', ended: 1, reusable: true });
  });

  it('reads a body without a length to the close, and does not reuse its connection', () => {
    const { instance, parsed } = parser();
    instance.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\npart one, '));
    instance.feed(Buffer.from('part two'));
    expect(parsed.ended).toBe(0);
    instance.close();
    expect(parsed).toMatchObject({ body: 'part one, part two', ended: 1, reusable: false });
  });

  it('says when a connection cannot carry another call, and how long the server keeps it', () => {
    expect(feed('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    expect(feed('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    expect(feed('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    expect(feed('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=1000\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ reusable: true, keepAliveSeconds: 5 });
    // Both framings: read as chunked, then closed (a smuggling attempt must not leave bytes behind).
    expect(feed('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n')).toMatchObject({ body: 'x', reusable: false });
    // A transfer coding other than chunked last runs to the close.
    expect(feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw').reusable).toBe(false);
  });

  it('finds a field by its lower-case name, its value trimmed, repeated fields joined in order', () => {
    const [fields] = feed('HTTP/1.1 200 OK\r\nX-RateLimit-Remaining: 99\r\nSet-Cookie: a=1\r\nset-cookie:b=2 \r\nX-Note: caf\u00e9\r\nX-Nbsp: \u00a0v\u00a0\r\nContent-Length: 0\r\n\r\n').fields;
    expect(fields!.get('x-ratelimit-remaining')).toBe('99');
    expect(fields!.get('set-cookie')).toBe('a=1, b=2');
    expect(fields!.get('x-note')).toBe('caf\u00e9');
    // 0xA0 is a value's byte, not whitespace to trim.
    expect(fields!.get('x-nbsp')).toBe('\u00a0v\u00a0');
    expect(fields!.get('retry-after')).toBeNull();
  });

  it('leaves out a field whose value carries a control character, which could not be passed on', () => {
    const [fields] = feed('HTTP/1.1 200 OK\r\nX-Request-Id: a\0b\r\nX-Request-Id: c\r\nContent-Type: text/plain\x7f\r\nContent-Length: 0\r\n\r\n').fields;
    expect(fields!.get('x-request-id')).toBe('c');
    expect(fields!.get('content-type')).toBeNull();
  });

  it('refuses a response it cannot read exactly', () => {
    const cases: Record<string, string> = {
      'a malformed status line': 'HTTP/2 200 OK\r\n\r\n',
      'a status line without a code': 'HTTP/1.1 OK\r\n\r\n',
      'a three-letter code': 'HTTP/1.1 2xx OK\r\n\r\n',
      'a bare LF in the head': 'HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: 0\r\n\r\n',
      'a bare CR in a value': 'HTTP/1.1 200 OK\r\nX-A: 1\rX\r\nContent-Length: 0\r\n\r\n',
      'a bare LF in the status line': 'HTTP/1.1 200 OK\nX-A: 1\r\nContent-Length: 0\r\n\r\n',
      'an obsolete folded line': 'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n',
      'a space before the colon': 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n',
      'a line without a colon': 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n',
      'conflicting lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'a length that is not a number': 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n',
      'a negative length': 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'a chunk size that is not hex': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'a chunk size too large': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n',
      'a chunk size followed by more than extensions': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 6\r\nabcde\r\n0\r\n\r\n',
      'a control character in a chunk extension': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\0\r\nabcde\r\n0\r\n\r\n',
      'a bare LF in a trailer': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-A: 1\nX-B: 2\r\n\r\n',
      'a folded trailer line': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-A: 1\r\n 2\r\n\r\n',
      'a chunk without its CRLF': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n',
      'bytes after the end': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy',
      'an upgrade': 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    };
    for (const [what, wire] of Object.entries(cases)) expect(errorOf(wire), what).toMatch(/^invalid upstream response: /);
  });

  it('refuses a head past its limit, without waiting for its end', () => {
    const { instance } = parser();
    instance.feed(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < 100; i++) instance.feed(Buffer.from(`X-Filler-${i}: ${'v'.repeat(1000)}\r\n`));
    }).toThrow(/too large/);
  });

  it('says a response cut short by the close is one', () => {
    const { instance } = parser();
    instance.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'));
    expect(() => instance.close()).toThrow(/closed before the response ended/);
    const chunked = parser().instance;
    chunked.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc'));
    expect(() => chunked.close()).toThrow(/closed before/);
  });

  it('reads the next response on the same connection after a reset', () => {
    const { instance, parsed } = parser();
    instance.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'));
    instance.reset();
    instance.feed(Buffer.from('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 1\r\n\r\nb'));
    expect(parsed).toMatchObject({ statuses: [200, 429], body: 'ab', ended: 2 });
    expect(parsed.fields[1]!.get('retry-after')).toBe('2');
  });
});
