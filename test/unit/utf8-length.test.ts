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

  it('measures strings longer than one encodeInto chunk, a pair across the cut included', () => {
    // 32,768 code units go to each encodeInto: a surrogate pair at every offset around the cut.
    for (let offset = 32_760; offset <= 32_770; offset++) {
      const text = `${'a'.repeat(offset)}😀${'é'.repeat(40_000)}\ud800${'日'.repeat(30_000)}`;
      expect(utf8Length(text), `pair at ${offset}`).toBe(encoder.encode(text).length);
    }
    const lone = `${'a'.repeat(32_767)}\ud83dx`;
    expect(utf8Length(lone)).toBe(encoder.encode(lone).length);
    const pairs = '😀'.repeat(100_000);
    expect(utf8Length(pairs)).toBe(400_000);
  });

  it('rounds the byte rule up to whole tokens', () => {
    expect(bytesEstimate('abcde')).toBe(2);
    expect(bytesEstimate('😀')).toBe(1);
  });
});
