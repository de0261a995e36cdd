import { describe, expect, it } from 'vitest';
import { HeaderFields, headersInit } from '../../src/http/header-fields.js';

describe('HeaderFields: upstream request headers as a plain record', () => {
  it('reads and writes names case-insensitively, keeping them lower-case', () => {
    const headers = new HeaderFields({ 'X-Team': 'blue', Accept: 'text/plain' });
    headers.set('Authorization', 'Bearer k');
    expect(headers.get('x-team')).toBe('blue');
    expect(headers.get('ACCEPT')).toBe('text/plain');
    expect(headers.has('authorization')).toBe(true);
    headers.delete('X-TEAM');
    expect(headers.get('x-team')).toBeNull();
    const seen: Array<[string, string]> = [];
    headers.forEach((value, name) => seen.push([name, value]));
    expect(seen).toEqual([
      ['accept', 'text/plain'],
      ['authorization', 'Bearer k'],
    ]);
  });

  it('knows only its own headers: names that are also Object properties are headers like any other', () => {
    const headers = new HeaderFields();
    expect(headers.get('constructor')).toBeNull();
    expect(headers.has('toString')).toBe(false);
    headers.set('constructor', 'x');
    expect(headers.get('constructor')).toBe('x');
  });

  it('goes into a fetch as the same headers, whichever kind it is', () => {
    const fields = new HeaderFields({ 'Content-Type': 'application/json' });
    expect(new Headers(headersInit(fields)).get('content-type')).toBe('application/json');
    const web = new Headers({ 'x-a': '1' });
    expect(headersInit(web)).toBe(web);
  });
});
