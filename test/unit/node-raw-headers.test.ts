// RawHeaders (adapters/node/raw-headers.ts) stands in for request.headers on Node: every name a
// call reads must give what WHATWG Headers.get gives for the same fields.

import { describe, expect, it } from 'vitest';
import { RawHeaders } from '../../adapters/node/raw-headers.js';

const raw = [
  'Host', 'gateway.test',
  'Authorization', 'Bearer sk-rt-abc',
  'Content-Type', 'application/json',
  'content-length', '27',
  'X-Stainless-Lang', 'js',
  'anthropic-beta', 'tools-2024',
  'Anthropic-Beta', 'prompt-caching-2024',
  'Accept', 'application/json',
];

describe('RawHeaders', () => {
  const view = new RawHeaders(raw);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  const whatwg = new Headers(pairs);

  it('answers every name as Headers.get does, repeated fields joined', () => {
    for (const name of ['host', 'authorization', 'content-type', 'content-length', 'x-stainless-lang', 'anthropic-beta', 'accept', 'x-api-key', 'anthropic-version']) {
      expect(view.get(name)).toBe(whatwg.get(name));
    }
    expect(view.get('anthropic-beta')).toBe('tools-2024, prompt-caching-2024');
  });

  it('takes a name in any case, and answers null for a missing one', () => {
    expect(view.get('Content-Type')).toBe('application/json');
    expect(view.get('x-missing')).toBeNull();
    expect(new RawHeaders([]).get('authorization')).toBeNull();
  });
});
