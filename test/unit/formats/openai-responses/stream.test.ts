import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { openAIResponsesFormat } from '../../../../src/formats/openai-responses/index.js';
import type { StreamEvent } from '../../../../src/ir/chat.js';
import { SseParser } from '../../../../src/sse/parser.js';
import { encodeEvents, fixtureReader, freezeDate } from '../../../support/codec-helpers.js';

const { fixtureText, fixtureJson } = fixtureReader('formats/openai-responses');

const body = fixtureJson('request-for-responses.json');

const encode = (events: StreamEvent[], close: 'end' | GatewayError = 'end'): string => encodeEvents(openAIResponsesFormat.createStreamEncoder(body), events, close);

function parse(text: string): Array<Record<string, any>> {
  const events = new SseParser().push(text);
  return events.map((event) => {
    const data = JSON.parse(event.data) as Record<string, any>;
    // Every event is named by its type, as the API sends them.
    expect(event.event).toBe(data.type);
    return data;
  });
}

const START: StreamEvent = { type: 'start', id: 'msg_1', model: 'claude', created: 1741477000 };

describe('Responses stream encoder', () => {
  freezeDate(1741477009000);

  it('streams reasoning, text and two function calls, with usage that came after the finish', () => {
    const out = encode(fixtureJson<StreamEvent[]>('stream-full.events.json'));
    expect(out).toBe(fixtureText('stream-full.txt'));
    const events = parse(out);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const completed = events.at(-1)!;
    expect(completed.type).toBe('response.completed');
    expect(completed.response.usage.output_tokens).toBe(96);
  });

  it('puts consecutive text blocks in one message item and ends a cut-off answer incomplete', () => {
    const events = parse(
      encode([
        START,
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'text_delta', index: 0, text: 'one' },
        { type: 'block_stop', index: 0 },
        { type: 'block_start', index: 1, block: { type: 'text' } },
        { type: 'text_delta', index: 1, text: 'two' },
        { type: 'block_stop', index: 1 },
        { type: 'finish', stopReason: 'max_tokens' },
      ]),
    );
    expect(events.map((event) => [event.type, event.output_index, event.content_index])).toEqual([
      ['response.created', undefined, undefined],
      ['response.in_progress', undefined, undefined],
      ['response.output_item.added', 0, undefined],
      ['response.content_part.added', 0, 0],
      ['response.output_text.delta', 0, 0],
      ['response.output_text.done', 0, 0],
      ['response.content_part.done', 0, 0],
      ['response.content_part.added', 0, 1],
      ['response.output_text.delta', 0, 1],
      ['response.output_text.done', 0, 1],
      ['response.content_part.done', 0, 1],
      ['response.output_item.done', 0, undefined],
      ['response.incomplete', undefined, undefined],
    ]);
    const item = { id: 'msg_msg1_0', type: 'message', status: 'incomplete', role: 'assistant' };
    expect(events[11]!.item).toMatchObject({ ...item, content: [{ text: 'one' }, { text: 'two' }] });
    expect(events[12]!.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: null, completed_at: null });
    expect(events[12]!.response.output).toEqual([events[11]!.item]);
  });

  it('gives {} as the arguments of a function call that streamed none, as OpenAI does', () => {
    const events = parse(
      encode([
        START,
        { type: 'block_start', index: 0, block: { type: 'tool_call', id: 'toolu_1', name: 'now' } },
        { type: 'arguments_delta', index: 0, json: '' },
        { type: 'block_stop', index: 0 },
        { type: 'finish', stopReason: 'tool_use' },
      ]),
    );
    expect(events.slice(2, -1)).toEqual([
      expect.objectContaining({ type: 'response.output_item.added', item: expect.objectContaining({ arguments: '', status: 'in_progress' }) }),
      { type: 'response.function_call_arguments.delta', item_id: 'fc_msg1_0', output_index: 0, delta: '{}', sequence_number: 3 },
      { type: 'response.function_call_arguments.done', item_id: 'fc_msg1_0', output_index: 0, arguments: '{}', name: 'now', sequence_number: 4 },
      expect.objectContaining({ type: 'response.output_item.done', item: expect.objectContaining({ arguments: '{}', status: 'completed' }) }),
    ]);
    expect(events.at(-1)!.response.output[0].arguments).toBe('{}');
  });

  it('streams redacted thinking as a reasoning item carrying its data, with no summary events', () => {
    const events = parse(
      encode([
        START,
        { type: 'block_start', index: 0, block: { type: 'redacted_thinking', data: 'opaque' } },
        { type: 'block_stop', index: 0 },
        { type: 'finish', stopReason: 'end_turn' },
      ]),
    );
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[3]!.item).toEqual({ id: 'rs_msg1_0', type: 'reasoning', summary: [], encrypted_content: 'routerly.redacted_thinking:opaque' });
  });

  it('tells a provider error as an error event and response.failed, then nothing more', () => {
    const encoder = openAIResponsesFormat.createStreamEncoder(body);
    let out = encoder.push(START);
    out += encoder.push({ type: 'block_start', index: 0, block: { type: 'text' } });
    out += encoder.push({ type: 'text_delta', index: 0, text: 'partial' });
    out += encoder.push({ type: 'error', status: 529, message: 'Overloaded', errorType: 'overloaded_error' });
    expect(encoder.push({ type: 'text_delta', index: 0, text: 'more' })).toBe('');
    expect(encoder.end()).toBe('');
    const events = parse(out);
    expect(events.slice(-2)).toEqual([
      { type: 'error', code: 'overloaded_error', message: 'Overloaded', param: null, sequence_number: 5 },
      expect.objectContaining({ type: 'response.failed', sequence_number: 6 }),
    ]);
    expect(events.at(-1)!.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Overloaded' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'partial' }] }],
    });
  });

  it('opens the stream before failing when nothing was sent yet', () => {
    const events = parse(encode([], new GatewayError('rate_limited', 'slow down')));
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'error', 'response.failed']);
    expect(events[2]).toMatchObject({ code: 'rate_limited', message: 'slow down', param: null });
    expect(events[3]!.response.error).toEqual({ code: 'rate_limit_exceeded', message: 'slow down' });
    expect(events[0]!.response.id).toMatch(/^resp_[0-9a-f]{32}$/);
  });
});
