import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfigIndex } from '../../src/config/state.js';
import { hashToken } from '../../src/crypto/tokens.js';
import { authenticateProject } from '../../src/proxy/auth.js';
import { ENDPOINTS } from '../../src/proxy/endpoints.js';

describe('the endpoints’ fast body checks', () => {
  const value = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.double(),
    fc.constantFrom('', 'gpt', 'x'),
    fc.constant(Number.MAX_SAFE_INTEGER + 2),
    fc.array(fc.anything(), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('include_usage', 'other'), fc.oneof(fc.boolean(), fc.string(), fc.constant(null))),
  );
  const body = fc.record(
    { model: value, messages: value, stream: value, stream_options: value, max_tokens: value, input: value },
    { requiredKeys: [] },
  );

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.path}: accepts only what its schema accepts`, () => {
      fc.assert(
        fc.property(body, (candidate) => {
          const clean = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
          if (endpoint.accepts(clean)) expect(endpoint.schema.safeParse(clean).success).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('accepts the usual bodies', () => {
    const accepts = (path: string, body: Record<string, unknown>) => ENDPOINTS.find((e) => e.path === path)!.accepts(body);
    expect(accepts('/v1/chat/completions', { model: 'm', messages: [{}], stream: true, stream_options: { include_usage: true } })).toBe(true);
    expect(accepts('/v1/messages', { model: 'm', messages: [], max_tokens: 16 })).toBe(true);
    expect(accepts('/v1/messages/count_tokens', { model: 'm', messages: [] })).toBe(true);
    expect(accepts('/v1/responses', { model: 'm', input: 'hi', stream: null })).toBe(true);
    expect(accepts('/v1/embeddings', { model: 'm', input: ['a'] })).toBe(true);
  });
});

describe('token authentication with remembered digests', () => {
  const token = 'sk-rt-hot-path-token-0123456789';
  const entry = { project: { id: 'p1' }, token: { hash: hashToken(token) } } as unknown as ConfigIndex['tokens'] extends Map<string, infer V> ? V : never;
  const indexWith = (valid: boolean) => ({ tokens: new Map(valid ? [[hashToken(token), entry]] : []) }) as unknown as ConfigIndex;
  const bearer = (value: string) => new Headers({ authorization: `Bearer ${value}` });

  it('finds the project again, and refuses the token once it is revoked', () => {
    expect(authenticateProject(bearer(token), indexWith(true))).toBe(entry);
    expect(authenticateProject(bearer(token), indexWith(true))).toBe(entry);
    expect(() => authenticateProject(bearer(token), indexWith(false))).toThrow('invalid API key');
  });

  it('refuses unknown tokens, however many', () => {
    for (let i = 0; i < 2000; i++) expect(() => authenticateProject(bearer(`sk-rt-unknown-${i}`), indexWith(true))).toThrow('invalid API key');
    expect(authenticateProject(new Headers({ 'x-api-key': token }), indexWith(true))).toBe(entry);
  });
});
