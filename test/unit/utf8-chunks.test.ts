// Utf8Chunks (src/sse/utf8-chunks.ts) must give exactly the text a streaming TextDecoder gives,
// however the bytes are cut: it decodes most chunks in one call and only carries a character
// across chunks when one may be split.

import { describe, expect, it } from 'vitest';
import { Utf8Chunks } from '../../src/sse/utf8-chunks.js';

/**
 * What the relay's streaming TextDecoder gave. It is never flushed: bytes of a character the
 * stream never finishes are not text yet, and the parser could not make an event of them anyway
 * (an event ends with a blank line).
 */
function streamingText(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('');
}

function chunkedText(chunks: Uint8Array[]): string {
  const decoder = new Utf8Chunks();
  return chunks.map((chunk) => decoder.decode(chunk)).join('');
}

/** `bytes` cut at every position in `cuts` (sorted, inside the bytes). */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const at of cuts) {
    out.push(bytes.subarray(from, at));
    from = at;
  }
  out.push(bytes.subarray(from));
  return out;
}

const encoder = new TextEncoder();
const BOM = [0xef, 0xbb, 0xbf];
const samples: Array<[string, Uint8Array]> = [
  ['ASCII events', encoder.encode('data: {"a":1}\n\ndata: [DONE]\n\n')],
  ['two-, three- and four-byte characters', encoder.encode('data: {"t":"é – 漢字 😀"}\n\ndata: ü\n\n')],
  ['a leading byte-order mark', new Uint8Array([...BOM, ...encoder.encode('data: x\n\n')])],
  ['a byte-order mark inside', new Uint8Array([...encoder.encode('data: x\n\n'), ...BOM, ...encoder.encode('data: y\n\n')])],
  ['invalid bytes', new Uint8Array([...encoder.encode('data: '), 0xff, 0xc3, 0x28, 0xe2, 0x82, ...encoder.encode('\n\n')])],
  ['a character cut off at the end', new Uint8Array([...encoder.encode('data: é\n\n'), 0xe6, 0xbc])],
];

describe('Utf8Chunks', () => {
  for (const [name, bytes] of samples) {
    it(`decodes ${name} as a streaming TextDecoder does, cut anywhere`, () => {
      expect(chunkedText([bytes])).toBe(streamingText([bytes]));
      for (let a = 0; a <= bytes.length; a++) {
        expect(chunkedText(cut(bytes, [a]))).toBe(streamingText(cut(bytes, [a])));
        for (let b = a; b <= bytes.length; b += 3) {
          const pieces = cut(bytes, [a, b]);
          expect(chunkedText(pieces)).toBe(streamingText(pieces));
        }
      }
    });
  }

  it('decodes every single byte on its own as the streaming decoder does', () => {
    const bytes = samples[1]![1];
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    expect(chunkedText(pieces)).toBe(streamingText(pieces));
  });
});
