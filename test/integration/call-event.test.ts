/**
 * GatewayDeps.onCall, the feed of the server's console: one CallEvent per finished proxied call,
 * through the real gateway and the mock provider over HTTP. A plain call, a stream (told once it
 * ended), a call that fell back, one that failed, one refused before any attempt, a client that
 * left mid-stream; and a hook that throws or rejects changes nothing for the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type CallEvent, type Gateway, type Logger } from '../../src/index.js';
import { createMemoryStore } from '../../storage/memory.js';
import { startMockProvider, type MockProvider } from '../support/mock-provider.js';

const KEY = 'sk-upstream-call-event-5678';
const SECRET = 'call-event-test-secret-0123456789abcdef';
/** Prompt text that must never reach an event. */
const PROMPT = 'the secret recipe is forty-two';

let mock: MockProvider;

/** A gateway on a memory store whose onCall is `onCall`, set up over its own API with models `first` and `second`. */
async function gatewayWith(onCall: (event: CallEvent) => void, logger?: Logger) {
  const gateway: Gateway = createGateway({ store: createMemoryStore(), secret: SECRET, onCall, ...(logger ? { logger } : {}) });
  const post = (path: string, body: unknown, token?: string, signal?: AbortSignal) =>
    gateway.fetch(
      new Request(`http://gw${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    );
  const created = async (path: string, body: unknown, token?: string) => {
    const response = await post(path, body, token);
    const answer = await response.json();
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const admin = (await created('/api/setup', { email: 'admin@example.com', password: 'correct horse battery' })).token as string;
  for (const id of ['first', 'second']) {
    await created('/api/models', { id, provider: 'openai', baseUrl: mock.openaiBaseUrl, apiKey: KEY, pricing: { input: 1, output: 2 } }, admin);
  }
  const project = async (name: string, models: string[], extra: Record<string, unknown> = {}) =>
    (await created('/api/projects', { name, models, ...extra }, admin)) as { id: string; token: string };
  const chat = (token: string, model: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    post('/v1/chat/completions', { model, messages: [{ role: 'user', content: PROMPT }], ...extra }, token, signal);
  return { gateway, project, chat };
}

beforeAll(async () => {
  mock = await startMockProvider({ openaiKey: KEY });
});
afterAll(async () => {
  await mock?.close();
});

describe('onCall', () => {
  const events: CallEvent[] = [];
  let setup: Awaited<ReturnType<typeof gatewayWith>>;
  let main: { id: string; token: string };
  let solo: { id: string; token: string };

  /** The events of one call, by the request id its answer carries. */
  const eventsOf = (response: Response) => events.filter((e) => e.requestId === response.headers.get('x-routerly-request-id'));
  /** The call's one event, once it was told (a stream's comes after its end, the record a moment after). */
  const eventOf = async (response: Response) => {
    await expect.poll(() => eventsOf(response).length, { timeout: 3000, interval: 10 }).toBe(1);
    return eventsOf(response)[0]!;
  };

  beforeAll(async () => {
    setup = await gatewayWith((event) => events.push(event));
    main = await setup.project('main', ['first', 'second']);
    // One model, no fallback: its failure is the call's answer.
    solo = await setup.project('solo', ['first']);
  });

  it('tells a plain call once, with what the console shows and nothing secret', async () => {
    const before = Date.now();
    const response = await setup.chat(main.token, 'first');
    const body = await response.json();
    const after = Date.now();
    expect(response.status).toBe(200);
    const event = await eventOf(response);
    expect(event).toMatchObject({
      projectId: main.id,
      projectName: 'main',
      endpoint: '/v1/chat/completions',
      model: 'first',
      stream: false,
      status: 200,
      outcome: 'ok',
      attempts: 1,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
    });
    // Pricing is per million tokens: 1 for input, 2 for output.
    expect(event.costUsd).toBeCloseTo((body.usage.prompt_tokens * 1 + body.usage.completion_tokens * 2) / 1e6, 12);
    expect(Date.parse(event.ts)).toBeGreaterThanOrEqual(before);
    expect(event.latencyMs).toBeGreaterThanOrEqual(0);
    expect(event.latencyMs).toBeLessThanOrEqual(after - before);
    const text = JSON.stringify(event);
    for (const secret of [KEY, main.token, PROMPT]) expect(text).not.toContain(secret);
  });

  it('tells a stream once it ended, with its whole latency and usage', async () => {
    mock.enqueue({ kind: 'slowStream', chunkDelayMs: 120, chunks: 4 });
    const before = Date.now();
    const response = await setup.chat(main.token, 'first', { stream: true });
    expect(response.status).toBe(200);
    // The answer has started, not ended: nothing to tell yet.
    expect(eventsOf(response)).toEqual([]);
    const text = await response.text();
    const elapsed = Date.now() - before;
    expect(text).toContain('[DONE]');
    const event = await eventOf(response);
    expect(event).toMatchObject({ model: 'first', stream: true, status: 200, outcome: 'ok', attempts: 1 });
    expect(event.outputTokens).toBeGreaterThan(0);
    // Four events 120 ms apart: the latency runs to the stream's end, not to its first byte.
    expect(event.latencyMs).toBeGreaterThanOrEqual(4 * 120 - 20);
    expect(event.latencyMs).toBeLessThanOrEqual(elapsed);
  });

  it('tells a call that fell back once, naming the model that served and both attempts', async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { model: 'first' });
    const response = await setup.chat(main.token, 'first');
    expect(response.status).toBe(200);
    await response.json();
    expect(await eventOf(response)).toMatchObject({ model: 'second', status: 200, outcome: 'ok', attempts: 2 });
  });

  it("tells a failed call with the status the client got and why", async () => {
    mock.enqueue({ kind: 'error', status: 503 }, { model: 'first' });
    const response = await setup.chat(solo.token, 'first');
    expect(response.status).toBe(503);
    await response.text();
    expect(await eventOf(response)).toMatchObject({ projectId: solo.id, model: 'first', status: 503, outcome: 'upstream_error', attempts: 1, costUsd: 0 });
  });

  it('tells a call refused before any attempt, with no attempts', async () => {
    const limited = await setup.project('limited', ['first'], { limits: { rpm: 1 } });
    await (await setup.chat(limited.token, 'first')).json();
    const response = await setup.chat(limited.token, 'first');
    expect(response.status).toBe(429);
    await response.text();
    expect(await eventOf(response)).toMatchObject({ projectId: limited.id, model: 'first', status: 429, outcome: 'rate_limited', attempts: 0, inputTokens: 0, costUsd: 0 });
  });

  it('tells a stream the client left in the middle of as client_aborted', async () => {
    mock.enqueue({ kind: 'stallStream', afterEvents: 2 });
    const controller = new AbortController();
    const response = await setup.chat(main.token, 'first', { stream: true }, controller.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(eventsOf(response)).toEqual([]);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect(await eventOf(response)).toMatchObject({ model: 'first', stream: true, outcome: 'client_aborted', attempts: 1 });
  });

  it('tells nothing for a call that never reached a project', async () => {
    const count = events.length;
    const response = await setup.chat('rly_not-a-token', 'first');
    expect(response.status).toBe(401);
    await response.text();
    // Give a stray event time to arrive: none must.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.length).toBe(count);
  });
});

describe('a hook that fails', () => {
  for (const [name, hook] of [
    ['throws', () => {
      throw new Error('console is broken');
    }],
    ['returns a rejected promise', () => Promise.reject(new Error('console is broken'))],
  ] as const) {
    it(`${name}: the call is answered in full and the failure is logged`, async () => {
      const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
      const logger: Logger = { info() {}, warn() {}, error: (message, fields) => errors.push({ message, ...(fields ? { fields } : {}) }) };
      const { project, chat } = await gatewayWith(hook as (event: CallEvent) => void, logger);
      const p = await project('p', ['first']);

      const plain = await chat(p.token, 'first');
      expect(plain.status).toBe(200);
      expect((await plain.json()).choices[0].message.content).toBeTruthy();

      mock.enqueue({ kind: 'slowStream', chunkDelayMs: 20, chunks: 3 });
      const streamed = await chat(p.token, 'first', { stream: true });
      expect(streamed.status).toBe(200);
      expect(await streamed.text()).toContain('[DONE]');

      await expect.poll(() => errors.length, { timeout: 2000, interval: 10 }).toBe(2);
      for (const error of errors) expect(error).toMatchObject({ message: 'onCall hook failed', fields: { error: 'Error: console is broken' } });
    });
  }
});
