import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { anthropicMessagesFormat } from '../../../../src/formats/anthropic-messages/index.js';
import type { ChatResponse, StreamEvent } from '../../../../src/ir/chat.js';
import { encodeEvents, fixtureReader } from '../../../support/codec-helpers.js';

const { fixtureText: read, fixtureJson } = fixtureReader('formats/anthropic-messages');

const body = { model: 'my-model', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }] };

const encode = (events: StreamEvent[]): string => encodeEvents(anthropicMessagesFormat.createStreamEncoder(body), events);

/** An SDK client whose every request is answered with `text`, as the gateway would send it. */
function clientAnswering(text: string, contentType: string): Anthropic {
  return new Anthropic({
    apiKey: 'sk-test',
    maxRetries: 0,
    fetch: async () => new Response(text, { status: 200, headers: { 'content-type': contentType } }),
  });
}

/** The same answer as the stream fixture, as one ChatResponse. */
const sameAnswer: ChatResponse = {
  id: 'chatcmpl-stream1',
  model: 'o4-mini-2025-04-16',
  created: 1741570283,
  content: [
    { type: 'thinking', text: 'The user wants the weather.', signature: 'sig-part-1+part-2' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_call', id: 'call_Xyz', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  stopReason: 'tool_use',
  usage: { inputTokens: 50, outputTokens: 31, cachedInputTokens: 10, cacheWriteTokens: 5 },
};

describe('anthropic messages: stream encoder', () => {
  const events = fixtureJson<StreamEvent[]>('stream-events.json');

  it('encodes thinking, text and a tool call, holding message_delta until the late usage', () => {
    expect(encode(events)).toBe(read('stream-expected.txt'));
  });

  it('streams text the @anthropic-ai/sdk accumulates into the same Message as encodeResponse', async () => {
    const client = clientAnswering(encode(events), 'text/event-stream');
    const seen: string[] = [];
    const stream = client.messages.stream({ model: 'my-model', max_tokens: 1024, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    stream.on('streamEvent', (event) => seen.push(event.type));
    // `parsed_output` is the SDK's own helper field (structured-output parsing), not the API's.
    const { parsed_output: _parsed, ...final } = JSON.parse(JSON.stringify(await stream.finalMessage()));
    expect(final).toStrictEqual(anthropicMessagesFormat.encodeResponse(sameAnswer, body));
    expect(seen.filter((type) => type === 'message_delta')).toHaveLength(1);
  });

  it('is read by the SDK as a non-streaming Message too', async () => {
    const encoded = anthropicMessagesFormat.encodeResponse(sameAnswer, body);
    const client = clientAnswering(JSON.stringify(encoded), 'application/json');
    const message = await client.messages.create({ model: 'my-model', max_tokens: 1024, messages: [{ role: 'user', content: 'x' }] });
    expect(message).toStrictEqual(encoded);
  });

  it('puts usage known before the first block into message_start', () => {
    const text = encode([
      { type: 'start', id: 'msg_1', model: 'gemini-2.5-pro', created: 0 },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'block_start', index: 0, block: { type: 'text' } },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'block_stop', index: 0 },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0 } },
      { type: 'finish', stopReason: 'stop_sequence', stopSequence: 'END' },
    ]);
    expect(text.split('\n\n')[0]).toBe(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"gemini-2.5-pro","content":[],"stop_reason":null,"stop_sequence":null,"stop_details":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":null,"output_tokens":1,"output_tokens_details":null,"server_tool_use":null,"service_tier":null,"inference_geo":null,"speed":null}}}',
    );
    expect(text).toContain(
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END","stop_details":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}\n\n',
    );
  });

  it('uses dense indexes of its own, maps content_filter and redacted thinking, and closes what the upstream left open', () => {
    const text = encode([
      { type: 'start', id: 'x', model: '', created: 0 },
      { type: 'block_start', index: 0, block: { type: 'redacted_thinking', data: 'ENC' } },
      { type: 'block_stop', index: 0 },
      { type: 'block_start', index: 1, block: { type: 'text' } },
      { type: 'text_delta', index: 1, text: 'No.' },
      { type: 'text_delta', index: 7, text: 'never opened: ignored' },
      { type: 'finish', stopReason: 'content_filter' },
    ]);
    expect(text).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","type":"message","role":"assistant","model":"my-model","content":[],"stop_reason":null,"stop_sequence":null,"stop_details":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":null,"output_tokens":0,"output_tokens_details":null,"server_tool_use":null,"service_tier":null,"inference_geo":null,"speed":null}}}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"ENC"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":"","citations":null}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"No."}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"stop_details":null},"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    );
  });

  it('ends with an Anthropic error event on a provider error, and sends nothing after it', async () => {
    const encoder = anthropicMessagesFormat.createStreamEncoder(body);
    let text = '';
    for (const event of events.slice(0, 9)) text += encoder.push(event);
    const error = encoder.push({ type: 'error', status: 529, message: 'Overloaded' });
    expect(error).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    text += error;
    expect(encoder.push(events[9]!)).toBe('');
    expect(encoder.end()).toBe('');
    expect(encoder.fail(new GatewayError('upstream_error', 'late'))).toBe('');

    const client = clientAnswering(text, 'text/event-stream');
    const stream = client.messages.stream({ model: 'my-model', max_tokens: 1024, messages: [{ role: 'user', content: 'x' }] });
    const thrown = await stream.finalMessage().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(thrown).toBeInstanceOf(Anthropic.APIError);
    expect((thrown as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('maps provider error types and statuses to Anthropic error types', () => {
    const typeOf = (status: number, errorType?: string) => {
      const encoder = anthropicMessagesFormat.createStreamEncoder(body);
      const text = encoder.push(errorType === undefined ? { type: 'error', status, message: 'm' } : { type: 'error', status, message: 'm', errorType });
      return (JSON.parse(text.split('data: ')[1]!) as { error: { type: string } }).error.type;
    };
    expect(typeOf(500, 'overloaded_error')).toBe('overloaded_error');
    expect(typeOf(429, 'rate_limit_exceeded')).toBe('rate_limit_error');
    expect(typeOf(500, 'server_error')).toBe('api_error');
    expect(typeOf(400)).toBe('invalid_request_error');
    expect(typeOf(504)).toBe('timeout_error');
  });

  it('fail() sends the gateway error as an Anthropic error event, after what was already sent', () => {
    const encoder = anthropicMessagesFormat.createStreamEncoder(body);
    encoder.push(events[0]!);
    encoder.push(events[1]!);
    expect(encoder.fail(new GatewayError('upstream_timeout', 'upstream timed out'))).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"timeout_error","message":"upstream timed out"}}\n\n',
    );
    expect(encoder.end()).toBe('');
  });
});
