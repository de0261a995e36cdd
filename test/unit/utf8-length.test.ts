import { describe, expect, it } from 'vitest';
import { bytesEstimate, utf8Length } from '../../src/ir/token-estimate.js';

const encoder = new TextEncoder();

/** A deterministic generator, so a failing string can be reproduced. */
function* randomStrings(count: number, seed = 7): Generator<string> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < count; i++) {
    let text = '';
    const length = next() % 24;
    for (let j = 0; j < length; j++) text += String.fromCharCode(next() % 0x10000);
    yield text;
  }
}

describe('utf8Length', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'hello'],
    ['two-byte', 'héllo ß'],
    ['three-byte', '日本語'],
    ['surrogate pairs', '😀👍🏽'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a high surrogate at the end', 'end\ud83d'],
    ['the boundaries', String.fromCharCode(0x7f, 0x80, 0x7ff, 0x800, 0xffff)],
  ])('counts %s as TextEncoder encodes it', (_name, text) => {
    expect(utf8Length(text)).toBe(encoder.encode(text).length);
  });

  it('agrees with TextEncoder on 2,000 random strings of any code units', () => {
    for (const text of randomStrings(2000)) expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).length);
  });

  it('rounds the byte rule up to whole tokens', () => {
    expect(bytesEstimate('abcde')).toBe(2);
    expect(bytesEstimate('😀')).toBe(1);
  });
});
