import { beforeAll, describe, expect, it } from 'vitest';
import type { Behaviour } from '../support/mock-provider.js';
import { createModel, createProject, NAMED_MODEL_ONLY } from '../support/gateway-client.js';
import { UPSTREAM_KEYS, type SuiteContext } from './context.js';

// Every fault the mock can play, streamed and not, forwarded (an OpenAI client on an OpenAI
// model) and translated (an Anthropic client on the same model): the client's status and
// error format, that nothing outlives its timeout, and what the usage record says.

const TIMEOUTS = { connectMs: 300, idleMs: 300, totalMs: 1500 };
/** Past this the gateway is hanging: every fault here resolves within the model's total timeout. */
const ANSWERED_WITHIN_MS = 4000;
const UPSTREAM_MODEL = 'gpt-faults';

type Path = 'forwarded' | 'translated';
interface Expectation {
  /** The status the client sees. */
  status: number;
  outcome: string;
  /** A 200 stream that ends with the client format's error event. */
  errorEvent?: boolean;
  /** The bytes the provider sent reach the client unchanged (forwarded answers). */
  asSent?: boolean;
}
interface Fault {
  name: string;
  behaviour: Behaviour;
  /** Some faults exist for one kind of call only. */
  only?: 'stream' | 'whole';
  /** A long prompt makes a long (slow, "never-ending") answer. */
  longPrompt?: boolean;
  expect: (stream: boolean, path: Path) => Expectation;
}

const chunk = (content: string, finish: string | null = null) =>
  `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
const sse = { 'content-type': 'text/event-stream' };
const jsonType = { 'content-type': 'application/json' };

const FAULTS: Fault[] = [
  { name: '500', behaviour: { kind: 'error', status: 500 }, expect: () => ({ status: 500, outcome: 'upstream_error' }) },
  { name: '429 with retry-after', behaviour: { kind: 'error', status: 429, headers: { 'retry-after': '3' } }, expect: () => ({ status: 429, outcome: 'rate_limited' }) },
  { name: '401 (our key)', behaviour: { kind: 'error', status: 401 }, expect: () => ({ status: 502, outcome: 'upstream_error' }) },
  {
    name: 'an HTML error page',
    behaviour: { kind: 'raw', status: 503, body: '<html><body>Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } },
    expect: () => ({ status: 503, outcome: 'upstream_error' }),
  },
  { name: 'a reset before the answer', behaviour: { kind: 'reset' }, expect: () => ({ status: 502, outcome: 'upstream_unreachable' }) },
  {
    name: 'a reset during the body',
    behaviour: { kind: 'midStreamError', afterEvents: 2 },
    expect: (stream) => (stream ? { status: 200, outcome: 'upstream_error', errorEvent: true } : { status: 502, outcome: 'upstream_error' }),
  },
  { name: 'a hang', behaviour: { kind: 'hang' }, expect: (stream) => ({ status: 504, outcome: stream ? 'connect_timeout' : 'total_timeout' }) },
  {
    name: 'headers then silence',
    behaviour: { kind: 'stallStream', afterEvents: 2 },
    expect: (stream) => (stream ? { status: 200, outcome: 'idle_timeout', errorEvent: true } : { status: 504, outcome: 'total_timeout' }),
  },
  { name: 'a slow answer', behaviour: { kind: 'slowStream', chunkDelayMs: 20 }, expect: () => ({ status: 200, outcome: 'ok' }) },
  {
    name: 'an answer that is not JSON',
    only: 'whole',
    behaviour: { kind: 'raw', status: 200, body: '{"id": "chatcmpl-x", "choi', headers: jsonType },
    expect: (_stream, path) => (path === 'forwarded' ? { status: 200, outcome: 'invalid_answer', asSent: true } : { status: 502, outcome: 'upstream_error' }),
  },
  {
    name: 'a 200 with an error body',
    only: 'whole',
    behaviour: { kind: 'raw', status: 200, body: JSON.stringify({ error: { message: 'quota', type: 'insufficient_quota' } }), headers: jsonType },
    expect: (_stream, path) => (path === 'forwarded' ? { status: 200, outcome: 'error_in_answer', asSent: true } : { status: 502, outcome: 'upstream_error' }),
  },
  {
    name: 'a never-ending stream',
    only: 'stream',
    longPrompt: true,
    behaviour: { kind: 'slowStream', chunkDelayMs: 10 },
    expect: () => ({ status: 200, outcome: 'total_timeout', errorEvent: true }),
  },
  {
    name: 'a stream cut without its finish',
    only: 'stream',
    behaviour: { kind: 'raw', status: 200, body: chunk('hel') + chunk('lo'), headers: sse },
    expect: (_stream, path) => (path === 'forwarded' ? { status: 200, outcome: 'truncated_stream', asSent: true } : { status: 200, outcome: 'truncated_stream', errorEvent: true }),
  },
];

export function faultTests(ctx: SuiteContext): void {
  let token = '';
  beforeAll(async () => {
    await createModel(ctx.admin, {
      id: 'f-gpt',
      provider: 'openai',
      baseUrl: ctx.mock.openaiBaseUrl,
      apiKey: UPSTREAM_KEYS.openai,
      upstreamModel: UPSTREAM_MODEL,
      timeouts: TIMEOUTS,
    });
    token = (await createProject(ctx.admin, 'faults', ['f-gpt'], NAMED_MODEL_ONLY)).token;
  });

  const cases = FAULTS.flatMap((fault) =>
    (['whole', 'stream'] as const)
      .filter((kind) => !fault.only || fault.only === kind)
      .flatMap((kind) => (['forwarded', 'translated'] as const).map((path) => ({ fault, stream: kind === 'stream', path, label: `${fault.name}, ${kind}, ${path}` }))),
  );

  describe.each(cases)('$label', ({ fault, stream, path }) => {
    it('answers in the client format within its timeout, and records what happened', async () => {
      const expected = fault.expect(stream, path);
      const earlyBreak = stream && fault.behaviour.kind === 'midStreamError' && ctx.limits.breakMayDropEarlyEvents === true;
      ctx.mock.enqueue(fault.behaviour, { model: UPSTREAM_MODEL });
      const prompt = fault.longPrompt ? 'word '.repeat(400) : 'hello there';
      const route = path === 'forwarded' ? '/v1/chat/completions' : '/v1/messages';
      const body =
        path === 'forwarded'
          ? { model: 'f-gpt', messages: [{ role: 'user', content: prompt }], stream }
          : { model: 'f-gpt', max_tokens: 64, messages: [{ role: 'user', content: prompt }], stream };
      const started = Date.now();
      const response = await fetch(`${ctx.gateway.url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(ANSWERED_WITHIN_MS + 2000),
      });
      const text = await response.text();
      expect(Date.now() - started).toBeLessThan(ANSWERED_WITHIN_MS);
      if (earlyBreak && response.status === 502) return; // declared: see RuntimeLimits.breakMayDropEarlyEvents
      expect(response.status, text.slice(0, 300)).toBe(expected.status);
      const requestId = response.headers.get('x-routerly-request-id');
      expect(requestId).toMatch(/^req_/);

      if (expected.status >= 400) {
        const error = JSON.parse(text);
        if (path === 'forwarded') expect(error).toMatchObject({ error: { message: expect.any(String) } });
        else expect(error).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
      }
      if (expected.status === 429) expect(response.headers.get('retry-after')).toBe('3');
      if (expected.errorEvent) {
        if (path === 'forwarded') expect(text).toMatch(/data: \{"error":\{/);
        else expect(text).toMatch(/event: error\ndata: \{"type":"error"/);
      }
      if (expected.asSent && fault.behaviour.kind === 'raw') expect(text).toBe(fault.behaviour.body);
      if (expected.outcome === 'ok') expect(text).not.toMatch(/"error"/);

      let records: any[] = [];
      await expect
        .poll(async () => (records = (await ctx.admin.call('GET', `/api/usage/${requestId}`)).body?.records ?? []).length, { timeout: 10_000 })
        .toBeGreaterThan(0);
      expect(records.at(-1)).toMatchObject({ outcome: expected.outcome });
    });
  });
}
