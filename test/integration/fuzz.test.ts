import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/index.js';
import type { Gateway } from '../../src/deps.js';
import { createMemoryStore } from '../../storage/memory.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';

// Property-based fuzzing of everything a client or an admin can send: bodies and headers of
// every proxied route (same-format and translated), and management bodies. Whatever comes in,
// the gateway answers with a status of its own choosing: never its own 500, never a hang,
// never a crash, and config stays readable. Runs are bounded so CI stays fast; a failure
// prints fast-check's seed and the shrunk input to replay it.

const SECRET = 'fuzz-test-secret-0123456789abcdefghij';
/** Each request must be answered within this; past it the run fails as a hang. */
const ANSWER_WITHIN_MS = 5000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

let mock: MockProvider;
let gateway: Gateway;
let admin: string;
let token: string;

async function call(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Response> {
  const request = new Request(`http://gw${path}`, { method, headers, body: body === undefined ? null : body });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms: ${method} ${path} ${body?.slice(0, 200)}`)), ANSWER_WITHIN_MS);
  });
  try {
    const response = await Promise.race([gateway.fetch(request), timeout]);
    // Read the whole answer (a stream included) under the same bound.
    const text = await Promise.race([response.text(), timeout]);
    return new Response(text, { status: response.status, headers: response.headers });
  } finally {
    clearTimeout(timer);
  }
}

const json = (value: unknown, headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers });

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: 'sk-up', anthropicKey: 'sk-up' });
  gateway = createGateway({ store: createMemoryStore(), secret: SECRET, settings: { maxBodyBytes: 256 * 1024 } });
  admin = (await (await call('POST', '/api/setup', JSON.stringify({ email: 'fuzz@example.com', password: 'fuzz password 123' }), json(0))).json()).token;
  const asAdmin = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  await call('POST', '/api/models', JSON.stringify({ id: 'gpt', provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: 'sk-up', upstreamModel: 'gpt-4o-mini' }), asAdmin);
  await call('POST', '/api/models', JSON.stringify({ id: 'claude', provider: 'anthropic', baseUrl: mock.anthropicBaseUrl, apiKey: 'sk-up' }), asAdmin);
  const project = await (await call('POST', '/api/projects', JSON.stringify({ name: 'fuzz', models: ['gpt', 'claude'] }), asAdmin)).json();
  token = project.token;
}, 60_000);

afterAll(async () => {
  await gateway?.flush();
  await mock?.close();
});

const ROUTES = ['/v1/chat/completions', '/v1/messages', '/v1/messages/count_tokens', '/v1/responses', '/v1/embeddings'];
const MODELS = ['gpt', 'claude', 'auto', 'unknown-model'];

/** Bodies shaped like each API's, with any field replaced by anything: what a buggy or hostile client sends. */
const chatLike = fc.record(
  {
    model: fc.oneof(fc.constantFrom(...MODELS), fc.jsonValue()),
    messages: fc.oneof(
      fc.array(
        fc.record(
          {
            role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer'), fc.jsonValue()),
            content: fc.oneof(fc.string(), fc.array(fc.oneof(fc.record({ type: fc.constantFrom('text', 'image_url', 'image', 'tool_result', 'input_text'), text: fc.string() }), fc.jsonValue())), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
      fc.jsonValue(),
    ),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.jsonValue()),
    stream: fc.oneof(fc.boolean(), fc.jsonValue()),
    tools: fc.jsonValue(),
    input: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
    temperature: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('fuzzing', () => {
  it('answers any proxied body with a status of its own choosing: never its own 500, never a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.oneof({ weight: 4, arbitrary: chatLike }, { weight: 1, arbitrary: fc.jsonValue() }), async (route, body) => {
        mock.reset();
        const response = await call('POST', route, JSON.stringify(body), json(0, { authorization: `Bearer ${token}` }));
        expect(response.status, await response.clone().text()).not.toBe(500);
        expect(response.headers.get('x-routerly-request-id')).toMatch(/^req_/);
        if (response.status >= 400) {
          const error = (await response.json()) as Record<string, unknown>;
          expect(error).toHaveProperty('error');
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('answers any raw bytes and headers on a proxied route with a 4xx, never a 500 or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        fc.oneof(fc.constant(`Bearer ${token}`), fc.string({ maxLength: 80 }).filter((s) => !/[\r\n\0]/.test(s))),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''),
        async (route, raw, authorization, contentType) => {
          const headers: Record<string, string> = {};
          // Headers a Request cannot carry are not sendable at all: skip them rather than test fetch.
          try {
            new Headers({ authorization });
            headers.authorization = authorization;
          } catch {
            // not a valid header value
          }
          if (contentType) headers['content-type'] = contentType;
          const response = await call('POST', route, raw, headers);
          expect(response.status).not.toBe(500);
          expect(response.status).toBeGreaterThanOrEqual(200);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('answers any management body with 2xx or 4xx and keeps config readable', async () => {
    const asAdmin = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const targets = [
      ['POST', '/api/models'],
      ['PUT', '/api/models/gpt'],
      ['POST', '/api/projects'],
      ['PUT', '/api/settings'],
      ['POST', '/api/auth/login'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.jsonValue(), async ([method, path], body) => {
        const response = await call(method, path, JSON.stringify(body), asAdmin);
        expect(response.status, await response.clone().text()).toBeLessThan(500);
        const models = await call('GET', '/api/models', undefined, { authorization: `Bearer ${admin}` });
        expect(models.status).toBe(200);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
