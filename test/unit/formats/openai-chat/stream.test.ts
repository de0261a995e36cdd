import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { openAIChatFormat } from '../../../../src/formats/openai-chat/index.js';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import { encodeEvents, fixtureReader } from '../../../support/codec-helpers.js';

const { fixtureText: text, fixtureJson } = fixtureReader('formats/openai-chat');
const EVENTS = fixtureJson<StreamEvent[]>('stream-tools.events.json');

const run = (events: StreamEvent[], body: Record<string, unknown>): string => encodeEvents(openAIChatFormat.createStreamEncoder(body), events);

const HEAD = '{"id":"r1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":';

describe('Chat Completions stream encoding', () => {
  it('encodes text and two parallel tool calls, without the usage chunk when not asked', () => {
    expect(run(EVENTS, { model: 'gw', messages: [], stream: true })).toBe(text('stream-tools.txt'));
  });

  it('adds "usage": null to every chunk and the usage chunk at the end with include_usage', () => {
    const body = { model: 'gw', messages: [], stream: true, stream_options: { include_usage: true } };
    expect(run(EVENTS, body)).toBe(text('stream-tools.usage.txt'));
  });

  it('streams thinking as reasoning_content and reasoning_details, with the signature and redacted data', () => {
    const out = run(
      [
        { type: 'start', id: 'r1', model: 'm', created: 5 },
        { type: 'block_start', index: 0, block: { type: 'thinking' } },
        { type: 'thinking_delta', index: 0, text: 'Hmm' },
        { type: 'signature_delta', index: 0, signature: 'sig' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'redacted_thinking', data: 'ENC' } },
        { type: 'block_stop', index: 1 },
        { type: 'block_start', index: 2, block: { type: 'text' } },
        { type: 'text_delta', index: 2, text: 'Hi' },
        { type: 'block_stop', index: 2 },
        { type: 'finish', stopReason: 'max_tokens' },
      ],
      { stream: true },
    );
    const tail = ',"logprobs":null,"finish_reason":null}]}\n\n';
    expect(out).toBe(
      `data: ${HEAD}{"role":"assistant","content":"","refusal":null}${tail}` +
        `data: ${HEAD}{"reasoning_content":"Hmm","reasoning_details":[{"type":"reasoning.text","text":"Hmm","format":"unknown","index":0}]}${tail}` +
        `data: ${HEAD}{"reasoning_details":[{"type":"reasoning.text","signature":"sig","format":"unknown","index":0}]}${tail}` +
        `data: ${HEAD}{"reasoning_details":[{"type":"reasoning.encrypted","data":"ENC","format":"unknown","index":1}]}${tail}` +
        `data: ${HEAD}{"content":"Hi"}${tail}` +
        `data: ${HEAD}{},"logprobs":null,"finish_reason":"length"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('sends {} as the arguments of a tool call that streamed none, as OpenAI does', () => {
    const out = run(
      [
        { type: 'start', id: 'r1', model: 'm', created: 5 },
        { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'c1', name: 'now' } },
        { type: 'arguments_delta', index: 0, json: '' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'tool_call', id: 'c2', name: 'f' } },
        { type: 'arguments_delta', index: 1, json: '{"a":1}' },
        { type: 'block_stop', index: 1 },
        { type: 'finish', stopReason: 'tool_use' },
      ],
      { stream: true },
    );
    const tail = ',"logprobs":null,"finish_reason":null}]}\n\n';
    expect(out).toBe(
      `data: ${HEAD}{"role":"assistant","content":"","refusal":null}${tail}` +
        `data: ${HEAD}{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"now","arguments":""}}]}${tail}` +
        `data: ${HEAD}{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}${tail}` +
        `data: ${HEAD}{"tool_calls":[{"index":1,"id":"c2","type":"function","function":{"name":"f","arguments":""}}]}${tail}` +
        `data: ${HEAD}{"tool_calls":[{"index":1,"function":{"arguments":"{\\"a\\":1}"}}]}${tail}` +
        `data: ${HEAD}{},"logprobs":null,"finish_reason":"tool_calls"}]}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('fail() sends an OpenAI error object and no [DONE], then nothing more', () => {
    const encoder = openAIChatFormat.createStreamEncoder({ stream: true });
    const opened = encoder.push({ type: 'start', id: 'r1', model: 'm', created: 5 });
    expect(opened).toBe(`data: ${HEAD}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`);
    expect(encoder.fail(new GatewayError('upstream_timeout', 'upstream timed out'))).toBe(
      'data: {"error":{"message":"upstream timed out","type":"server_error","param":null,"code":"upstream_timeout"}}\n\n',
    );
    expect(encoder.push({ type: 'text_delta', index: 0, text: 'late' })).toBe('');
    expect(encoder.end()).toBe('');
  });

  it('re-tells a provider error event in OpenAI shape, keeping its type as the code, and ends there', () => {
    const encoder = openAIChatFormat.createStreamEncoder({ stream: true, stream_options: { include_usage: true } });
    encoder.push({ type: 'start', id: 'r1', model: 'm', created: 5 });
    expect(encoder.push({ type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' })).toBe(
      'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}\n\n',
    );
    expect(encoder.push({ type: 'error', status: 429, message: 'again' })).toBe('');
    expect(encoder.end()).toBe('');
  });

  it('closes a stream that never finished with a stop chunk and [DONE]', () => {
    const encoder = openAIChatFormat.createStreamEncoder({ stream: true });
    encoder.push({ type: 'start', id: 'r1', model: 'm', created: 5 });
    expect(encoder.end()).toBe(`data: ${HEAD}{},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`);
  });
});
