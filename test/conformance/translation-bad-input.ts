// Bad input on translated calls: every client route, served by a model of another format so
// the body goes through the decoders, answers malformed JSON bodies with a clear 4xx in that
// route's error format (never a 5xx, a hang or a crash), and refuses what it must without
// calling the provider. Raw fetch: the SDKs validate some of this client-side.

import { describe, expect, it } from 'vitest';
import {
  chatCompletionsCases,
  embeddingsCases,
  messagesCases,
  responsesCases,
  type BadInputCase,
} from './translation-bad-input-cases.js';
import type { TranslationEnv } from './translation-env.js';

interface RouteCase {
  path: string;
  errorFormat: 'openai' | 'anthropic';
  /** The route's smallest valid body for `model`. */
  valid(model: string): Record<string, unknown>;
  cases: BadInputCase[];
  /**
   * Models of another format; `forwarded` ones take the body as is (OpenAI on /v1/responses),
   * so only the gateway's own checks apply and the rest is the provider's to refuse.
   */
  models: Array<{ model: string; forwarded?: boolean }>;
}

const ROUTES: RouteCase[] = [
  {
    path: '/v1/chat/completions',
    errorFormat: 'openai',
    valid: (model) => ({ model, messages: [{ role: 'user', content: 'hi' }] }),
    cases: chatCompletionsCases(),
    models: [{ model: 'anthropic' }, { model: 'gemini' }],
  },
  {
    path: '/v1/messages',
    errorFormat: 'anthropic',
    valid: (model) => ({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    cases: messagesCases(true),
    models: [{ model: 'openai' }, { model: 'cohere' }],
  },
  {
    path: '/v1/responses',
    errorFormat: 'openai',
    valid: (model) => ({ model, input: 'hi' }),
    cases: responsesCases(),
    models: [{ model: 'anthropic' }, { model: 'openai', forwarded: true }],
  },
  {
    path: '/v1/embeddings',
    errorFormat: 'openai',
    valid: (model) => ({ model, input: 'hi' }),
    cases: embeddingsCases(),
    models: [{ model: 'gemini' }, { model: 'cohere' }],
  },
  {
    path: '/v1/messages/count_tokens',
    errorFormat: 'anthropic',
    valid: (model) => ({ model, messages: [{ role: 'user', content: 'hi' }] }),
    cases: messagesCases(false),
    models: [{ model: 'gemini' }],
  },
];

/** Long enough for a 256 KiB body and a 10k-deep one on a loaded machine; a hang fails here. */
const CALL_TIMEOUT_MS = 10_000;

export function badInputTests(env: TranslationEnv): void {
  const upstreamCalls = () =>
    [env.matrix.keyed, env.matrix.keyless, env.matrix.mistral].flatMap((mock) => mock.requests.map((r) => `${r.method} ${r.path}`));

  /** The error body, checked against the route's format; its message and (OpenAI) param. */
  function expectErrorFormat(body: any, format: RouteCase['errorFormat']): { message: string; param?: unknown } {
    if (format === 'openai') {
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
      expect(body.error).toHaveProperty('param');
      expect(body.error).toHaveProperty('code');
      return body.error;
    }
    expect(body).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
    return body.error;
  }

  describe.each(ROUTES.flatMap((route) => route.models.map((entry) => ({ ...entry, route, label: `${route.path} on ${entry.model}` }))))(
    '$label',
    ({ route, model, forwarded }) => {
      it.each(route.cases.map((c) => ({ ...c, label: c.name })))('$label', async ({ body, outcome }) => {
        const response = await fetch(`${env.url}${route.path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
          body: body(route.valid(model)),
          signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
        const text = await response.text();
        const expected = forwarded && outcome !== 'ok' ? 'not5xx' : outcome;
        if (expected === 'ok') {
          expect(response.status, text.slice(0, 500)).toBe(200);
          return;
        }
        if (expected === 'not5xx') {
          expect(response.status, text.slice(0, 500)).toBeLessThan(500);
          if (response.status < 400) return;
        } else {
          expect(response.status, text.slice(0, 500)).toBe(expected.refused);
        }
        expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
        const error = expectErrorFormat(JSON.parse(text), route.errorFormat);
        if (expected === 'not5xx') return;
        if (expected.param !== undefined) {
          expect(error.message).toContain(expected.param);
          if (route.errorFormat === 'openai') expect(error.param).toBe(expected.param);
        }
        expect(upstreamCalls()).toEqual([]);
      });
    },
  );
}
