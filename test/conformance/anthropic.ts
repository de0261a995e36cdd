import Anthropic from '@anthropic-ai/sdk';
import { expect, it } from 'vitest';
import { mockAnthropicTokenCount, mockAnthropicUsage } from '../support/mock-provider.js';
import { waitForUsage } from '../support/gateway-client.js';
import { UPSTREAM_KEYS, type SuiteContext } from './context.js';

const messages = [{ role: 'user' as const, content: 'hello claude' }];

/** The Anthropic SDK against /v1/messages, served natively by an Anthropic model. */
export function anthropicTests(ctx: SuiteContext): void {
  const client = (headers: Record<string, string> = {}) =>
    new Anthropic({ apiKey: ctx.project.token, baseURL: ctx.gateway.url, maxRetries: 0, defaultHeaders: headers });

  it('answers a message natively, keeping version and beta headers, and costs cache reads and writes', async () => {
    const { data, response } = await client({ 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31' })
      .messages.create({ model: 'claude', max_tokens: 64, messages })
      .withResponse();
    expect(response.headers.get('x-routerly-model')).toBe('claude');
    expect(data.content).toMatchObject([{ type: 'text', text: 'echo: hello claude' }]);
    expect(data.model).toBe('claude-sonnet-4-5');

    const upstream = ctx.mock.requests.at(-1)!;
    expect(upstream.headers['x-api-key']).toBe(UPSTREAM_KEYS.anthropic);
    expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(JSON.stringify(upstream.headers)).not.toContain(ctx.project.token);

    const expected = mockAnthropicUsage({ messages });
    const usage = await waitForUsage(ctx.admin, ctx.project.id, 1);
    const record = usage.records.find((r) => r.requestId === response.headers.get('x-routerly-request-id'));
    const input = expected.input_tokens + expected.cache_read_input_tokens + expected.cache_creation_input_tokens;
    expect(record).toMatchObject({ model: 'claude', inputTokens: input, outputTokens: expected.output_tokens, cachedInputTokens: expected.cache_read_input_tokens, cacheWriteTokens: expected.cache_creation_input_tokens });
    const cost = (expected.input_tokens * 3 + expected.cache_read_input_tokens * 0.3 + expected.cache_creation_input_tokens * 3.75 + expected.output_tokens * 15) / 1e6;
    expect(record.costUsd).toBeCloseTo(cost, 12);
  });

  it('streams every event unchanged and records the stream usage', async () => {
    const stream = client().messages.stream({ model: 'claude', max_tokens: 64, messages });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: 'echo: hello claude' }]);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('message_delta');
    const usage = await waitForUsage(ctx.admin, ctx.project.id, 1);
    const record = usage.records.filter((r) => r.model === 'claude' && r.stream).at(-1);
    expect(record).toMatchObject({ outcome: 'ok', outputTokens: mockAnthropicUsage({ messages }).output_tokens });
    expect(record.cacheWriteTokens).toBeGreaterThan(0);
    expect(record.ttftMs).not.toBeNull();
  });

  it('round-trips thinking blocks and their signatures', async () => {
    const message = await client().messages.create({ model: 'claude', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages });
    const thinking = message.content.find((b) => b.type === 'thinking');
    expect(thinking).toMatchObject({ type: 'thinking' });
    expect((thinking as { signature: string }).signature.length).toBeGreaterThan(0);
    expect(ctx.mock.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  it('counts tokens natively for Anthropic models', async () => {
    const count = await client().messages.countTokens({ model: 'claude', messages });
    expect(count.input_tokens).toBe(mockAnthropicTokenCount({ messages }));
    expect(ctx.mock.requests.at(-1)!.path).toBe('/v1/messages/count_tokens');
  });

  it('accepts the project token as x-api-key (older Anthropic SDKs, curl) as well as Bearer', async () => {
    const response = await fetch(`${ctx.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ctx.project.token, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', max_tokens: 16, messages }),
    });
    expect(response.status).toBe(200);
    expect(ctx.mock.requests.at(-1)!.headers['x-api-key']).toBe(UPSTREAM_KEYS.anthropic);
  });

  it('refuses a wrong token in Anthropic error format', async () => {
    const error = await new Anthropic({ apiKey: 'sk-rt-wrong', baseURL: ctx.gateway.url, maxRetries: 0 })
      .messages.create({ model: 'claude', max_tokens: 5, messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
}
