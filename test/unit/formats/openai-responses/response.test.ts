import { describe, expect, it } from 'vitest';
import { openAIResponsesFormat } from '../../../../src/formats/openai-responses/index.js';
import type { ChatResponse } from '../../../../src/ir/chat.js';
import { fixtureReader, freezeDate } from '../../../support/codec-helpers.js';

const { fixtureJson } = fixtureReader('formats/openai-responses');

const body = fixtureJson('request-for-responses.json');

describe('Responses encodeResponse', () => {
  freezeDate(1741476999000);

  it.each(['text', 'tool-calls', 'max-tokens'])('encodes the %s answer as the Response object', (name) => {
    const response = fixtureJson<ChatResponse>(`response-${name}.ir.json`);
    expect(openAIResponsesFormat.encodeResponse(response, body)).toEqual(fixtureJson(`response-${name}.json`));
  });

  it('marks a content-filtered answer incomplete with its reason', () => {
    const response: ChatResponse = { id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'Sorry' }], stopReason: 'refusal' };
    const encoded = openAIResponsesFormat.encodeResponse(response, { model: 'm', input: 'x' }) as Record<string, any>;
    expect(encoded.status).toBe('incomplete');
    expect(encoded.incomplete_details).toEqual({ reason: 'content_filter' });
    expect(encoded.output[0].status).toBe('incomplete');
    expect(encoded.usage).toBeNull();
  });

  it('gives {} as the arguments of a function call without arguments', () => {
    const response: ChatResponse = {
      id: 'x', model: 'm', created: 1, content: [{ type: 'tool_call', id: 'toolu_1', name: 'now', arguments: '' }], stopReason: 'tool_use',
    };
    const encoded = openAIResponsesFormat.encodeResponse(response, { model: 'm', input: 'x' }) as Record<string, any>;
    expect(encoded.output[0]).toEqual({ id: 'fc_x_0', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'toolu_1', name: 'now' });
  });

  it('echoes the request parameters the client set', () => {
    const echoed = {
      temperature: 0.2,
      top_p: 0.5,
      parallel_tool_calls: false,
      tool_choice: 'required',
      text: { format: { type: 'json_object' }, verbosity: 'low' },
      user: 'u',
      safety_identifier: 's',
    };
    const encoded = openAIResponsesFormat.encodeResponse(fixtureJson<ChatResponse>('response-text.ir.json'), { model: 'm', input: 'x', ...echoed }) as Record<string, unknown>;
    expect(encoded).toMatchObject({
      ...echoed,
      instructions: null,
      tools: [],
      metadata: {},
    });
  });

  it('round-trips its output as the next input: thinking keeps its signature, redacted thinking its data, calls their ids', () => {
    const first = openAIResponsesFormat.encodeResponse(fixtureJson<ChatResponse>('response-tool-calls.ir.json'), body) as Record<string, any>;
    const redacted = openAIResponsesFormat.encodeResponse(fixtureJson<ChatResponse>('response-max-tokens.ir.json'), body) as Record<string, any>;
    const next = openAIResponsesFormat.decodeRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'weather?' },
        ...first.output,
        { type: 'function_call_output', call_id: 'toolu_01A', output: 'sunny' },
        { type: 'function_call_output', call_id: 'toolu_01B', output: 'rain' },
        redacted.output[0],
      ],
    });
    expect(next.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Two cities: call the tool twice.', signature: 'EqQBCkgIARABGAIiQL2sig' },
          { type: 'text', text: 'Checking both cities.' },
          { type: 'tool_call', id: 'toolu_01A', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'toolu_01B', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'toolu_01A', name: 'get_weather', content: [{ type: 'text', text: 'sunny' }] },
          { type: 'tool_result', toolCallId: 'toolu_01B', name: 'get_weather', content: [{ type: 'text', text: 'rain' }] },
        ],
      },
      { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }] },
    ]);
  });
});
