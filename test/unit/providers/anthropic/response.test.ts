import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { anthropicChat, readAnthropicError } from '../../../../src/providers/anthropic/index.js';
import { anthropicErrorStatus } from '../../../../src/providers/anthropic/errors.js';
import { decodeAnthropicResponse } from '../../../../src/providers/anthropic/response.js';
import { thrownGatewayError } from '../../../support/codec-helpers.js';
import { fixtureJson } from './helpers.js';

const NOW = 1_750_000_000_123;

describe('decodeAnthropicResponse', () => {
  it('reads a text answer with its stop sequence and full usage', () => {
    expect(decodeAnthropicResponse(fixtureJson('message-text.json'), NOW)).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      model: 'claude-sonnet-4-5-20250929',
      created: 1_750_000_000,
      content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
      stopReason: 'stop_sequence',
      stopSequence: '\n\nHuman:',
      usage: { inputTokens: 2095 + 100 + 1000, outputTokens: 503, cachedInputTokens: 1000, cacheWriteTokens: 100 },
    });
  });

  it('reads tool calls as JSON text and leaves out server tool blocks', () => {
    expect(decodeAnthropicResponse(fixtureJson('message-tool-use.json'), NOW)).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5-20250929',
      created: 1_750_000_000,
      content: [
        { type: 'text', text: "I'll check the current weather in San Francisco for you." },
        { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 384, outputTokens: 92, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('keeps thinking with its signature and redacted thinking as is', () => {
    const response = decodeAnthropicResponse(fixtureJson('message-thinking.json'), NOW);
    expect(response.content).toEqual([
      {
        type: 'thinking',
        text: 'Let me analyze this step by step...',
        signature: 'WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL....',
      },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pYmH3bX4t...' },
      { type: 'text', text: 'Based on my analysis, there are infinitely many such primes.' },
    ]);
    expect(response.stopReason).toBe('end_turn');
    expect(response).not.toHaveProperty('stopSequence');
    expect(response.usage).toEqual({ inputTokens: 52, outputTokens: 1240, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it('maps every stop reason, the context window one to max_tokens', () => {
    const stop = (reason: unknown) => decodeAnthropicResponse({ content: [], stop_reason: reason }, NOW).stopReason;
    for (const reason of ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal'] as const) expect(stop(reason)).toBe(reason);
    expect(stop('model_context_window_exceeded')).toBe('max_tokens');
    expect(stop(null)).toBe('end_turn');
  });

  it('refuses a body that is not a message', () => {
    expect(() => anthropicChat.decodeResponse(fixtureJson('error-overloaded.json'))).toThrow(GatewayError);
    expect(thrownGatewayError(() => anthropicChat.decodeResponse('nope')).code).toBe('upstream_error');
  });

  it('dates the answer now when no clock is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const { created } = anthropicChat.decodeResponse(fixtureJson('message-text.json'));
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('survives odd blocks', () => {
    const response = decodeAnthropicResponse({ id: 5, content: [null, 'x', { type: 'text' }, { type: 'tool_use' }, { type: 'thinking', thinking: 'hm' }] }, NOW);
    expect(response).toEqual({
      id: '',
      model: '',
      created: 1_750_000_000,
      content: [
        { type: 'tool_call', id: '', name: '', arguments: '{}' },
        { type: 'thinking', text: 'hm' },
      ],
      stopReason: 'end_turn',
    });
  });
});

describe('readAnthropicError', () => {
  it('reads the documented error bodies', () => {
    expect(readAnthropicError(fixtureJson('error-overloaded.json'))).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    expect(readAnthropicError(fixtureJson('error-invalid-request.json'))).toEqual({ message: 'max_tokens: Field required', type: 'invalid_request_error' });
  });

  it('reads nothing from other shapes', () => {
    expect(readAnthropicError(fixtureJson('message-text.json'))).toBeUndefined();
    expect(readAnthropicError({ error: 'boom' })).toBeUndefined();
    expect(readAnthropicError(null)).toBeUndefined();
    expect(readAnthropicError({ error: { type: 'api_error' } })).toEqual({ message: 'api_error', type: 'api_error' });
  });

  it('knows the status of each error type', () => {
    expect(anthropicErrorStatus('overloaded_error')).toBe(529);
    expect(anthropicErrorStatus('rate_limit_error')).toBe(429);
    expect(anthropicErrorStatus('api_error')).toBe(500);
    expect(anthropicErrorStatus('billing_error')).toBe(402);
    expect(anthropicErrorStatus('request_too_large')).toBe(413);
    expect(anthropicErrorStatus('timeout_error')).toBe(504);
    expect(anthropicErrorStatus('brand_new_error')).toBe(500);
    expect(anthropicErrorStatus('constructor')).toBe(500);
    expect(anthropicErrorStatus(undefined)).toBe(500);
  });
});
