import OpenAI from 'openai';
import { expect, it } from 'vitest';
import { mockOpenAIUsage } from '../support/mock-provider.js';
import { waitForUsage } from '../support/gateway-client.js';
import { UPSTREAM_KEYS, type SuiteContext } from './context.js';

const messages = [{ role: 'user' as const, content: 'hello there' }];

/** The OpenAI SDK against /v1/chat/completions and /v1/models, same-format to an OpenAI model. */
export function openAITests(ctx: SuiteContext): void {
  const client = () => new OpenAI({ apiKey: ctx.project.token, baseURL: `${ctx.gateway.url}/v1`, maxRetries: 0 });

  it('answers a chat completion exactly as the provider did, and costs it', async () => {
    const { data, response } = await client().chat.completions.create({ model: 'gpt', messages }).withResponse();
    expect(response.headers.get('x-routerly-model')).toBe('gpt');
    expect(data.choices[0]!.message.content).toBe('echo: hello there');
    expect(data.model).toBe('gpt-4o-mini');
    const expected = mockOpenAIUsage({ messages });
    expect(data.usage).toMatchObject({ prompt_tokens: expected.prompt_tokens, completion_tokens: expected.completion_tokens });

    const upstream = ctx.mock.requests.at(-1)!;
    expect(upstream.headers.authorization).toBe(`Bearer ${UPSTREAM_KEYS.openai}`);
    expect(JSON.stringify(upstream.headers)).not.toContain(ctx.project.token);

    const usage = await waitForUsage(ctx.admin, ctx.project.id, 1);
    const record = usage.records.find((r) => r.requestId === response.headers.get('x-routerly-request-id'));
    const cached = expected.prompt_tokens_details.cached_tokens;
    expect(record).toMatchObject({
      projectId: ctx.project.id,
      tokenId: ctx.project.tokenId,
      model: 'gpt',
      status: 200,
      outcome: 'ok',
      stream: false,
      inputTokens: expected.prompt_tokens,
      outputTokens: expected.completion_tokens,
      cachedInputTokens: cached,
      usageReported: true,
    });
    const cost = ((expected.prompt_tokens - cached) * 2 + cached * 1 + expected.completion_tokens * 8) / 1e6;
    expect(record.costUsd).toBeCloseTo(cost, 12);
    expect(record.latencyMs).toBeGreaterThanOrEqual(0);
    expect(record.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('streams, costs the stream, and hides the usage chunk the client did not ask for', async () => {
    const before = (await waitForUsage(ctx.admin, ctx.project.id, 0)).records.length;
    const stream = await client().chat.completions.create({ model: 'gpt', messages, stream: true });
    let text = '';
    for await (const chunk of stream) {
      expect(chunk.usage ?? undefined).toBeUndefined();
      expect(chunk).not.toHaveProperty('usage');
      expect(chunk.choices.length).toBe(1);
      text += chunk.choices[0]!.delta.content ?? '';
    }
    expect(text).toBe('echo: hello there');
    expect(ctx.mock.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    const usage = await waitForUsage(ctx.admin, ctx.project.id, before + 1);
    const record = usage.records.at(-1);
    expect(record).toMatchObject({ stream: true, outcome: 'ok', inputTokens: mockOpenAIUsage({ messages }).prompt_tokens });
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt', messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBe(mockOpenAIUsage({ messages }).prompt_tokens);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('streams a tool call with its argument deltas intact', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const stream = await client().chat.completions.create({ model: 'gpt', stream: true, tools, messages: [{ role: 'user', content: 'please call tool for Paris' }] });
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) args += call.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(() => JSON.parse(args)).not.toThrow();
  });

  it('forwards the body byte for byte but for the model, keeping unknown fields and the query string', async () => {
    const body = '{"model":"gpt","messages":[{"role":"user","content":"hi"}],"seed":12345678901234567890,"temperature":1.0,"x_vendor_field":{"keep":[1,2]}}';
    const response = await fetch(`${ctx.gateway.url}/v1/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.project.token}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    const upstream = ctx.mock.requests.at(-1)!;
    expect(upstream.rawBody).toBe(body.replace('"model":"gpt"', '"model":"gpt-4o-mini"'));
    expect(upstream.query).toBe('api-version=2024-10-21');
  });

  it('picks the first native model for `auto` and unknown names', async () => {
    for (const model of ['auto', 'no-such-model']) {
      const { response } = await client().chat.completions.create({ model, messages }).withResponse();
      expect(response.headers.get('x-routerly-model')).toBe('gpt');
    }
  });

  it('lists the project pool in OpenAI list shape', async () => {
    const ids = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt', 'claude', 'gpt-tight']);
  });
}
