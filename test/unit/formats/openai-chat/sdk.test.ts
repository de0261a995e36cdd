import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { openAIChatFormat } from '../../../../src/formats/openai-chat/index.js';
import type { ChatResponse, StreamEvent } from '../../../../src/ir/chat.js';
import { encodeEvents, fakeOpenAIClient, fixtureReader } from '../../../support/codec-helpers.js';

/**
 * The official openai SDK reading what the encoders write: the strongest check that a
 * client of the real API sees nothing odd. The SDK's fetch is replaced by one that answers
 * with our encoder's output, encoded from the client's own request body.
 */

const { fixtureJson } = fixtureReader('formats/openai-chat');

function sse(events: StreamEvent[], body: Record<string, unknown>, failure?: GatewayError): Response {
  const text = encodeEvents(openAIChatFormat.createStreamEncoder(body), events, failure ?? 'end');
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}

describe('the openai SDK reading the Chat Completions encoders', () => {
  it('reads a non-streamed answer with tool calls and thinking, and its request decodes', async () => {
    const { sdk, sent } = fakeOpenAIClient((body) => Response.json(openAIChatFormat.encodeResponse(fixtureJson<ChatResponse>('response-tools.ir.json'), body)));
    const completion = await sdk.chat.completions.create({
      model: 'gw-model',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls?.map((call) => call.id)).toEqual(['toolu_01A', 'toolu_01B']);
    expect(completion.usage?.total_tokens).toBe(1295);
    expect(openAIChatFormat.decodeRequest(sent[0]!).unsupported).toEqual([]);
  });

  it('accumulates the streamed tool calls and usage into the final completion', async () => {
    const events = fixtureJson<StreamEvent[]>('stream-tools.events.json');
    const { sdk } = fakeOpenAIClient((body) => sse(events, body));
    const stream = sdk.chat.completions.stream({
      model: 'gw-model',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Checking both.');
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'toolu_01B', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
    ]);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.usage?.prompt_tokens).toBe(500);
    expect(final.usage?.completion_tokens).toBe(42);
  });

  it('raises an APIError when the stream fails part way', async () => {
    const { sdk } = fakeOpenAIClient((body) =>
      sse([{ type: 'start', id: 'r', model: 'm', created: 1 }], body, new GatewayError('upstream_error', 'provider went away')),
    );
    const stream = await sdk.chat.completions.create({ model: 'gw-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
    await expect(async () => {
      for await (const _chunk of stream) {
        // drain
      }
    }).rejects.toThrow('provider went away');
  });
});
