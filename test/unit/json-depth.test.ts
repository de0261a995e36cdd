import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from '../../src/json/depth.js';
import { isBase64 } from '../../src/ir/media.js';

describe('jsonNestingDepth', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('{}')).toBe(1);
    expect(jsonNestingDepth('{"a":[{"b":[]}],"c":{}}')).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[{{{","b":"\\"[[[","c":[]}')).toBe(2);
    expect(jsonNestingDepth('{"a\\\\":[1]}')).toBe(2);
  });

  it('measures depths that JSON.stringify cannot walk', () => {
    expect(jsonNestingDepth('['.repeat(100_000) + ']'.repeat(100_000))).toBe(100_000);
  });
});

describe('isBase64', () => {
  it('takes standard base64 with padding and line breaks, and nothing else', () => {
    expect(isBase64('iVBORw0KGgo=')).toBe(true);
    expect(isBase64('iVBO\r\nRw0K Ggo=\n')).toBe(true);
    expect(isBase64('')).toBe(true);
    expect(isBase64('@@not base64!!')).toBe(false);
    expect(isBase64('abc=d')).toBe(false);
    expect(isBase64('abc===')).toBe(false);
  });

  it('stays linear on long inputs that fail at the end', () => {
    const started = Date.now();
    expect(isBase64(' '.repeat(2_000_000) + '!')).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
