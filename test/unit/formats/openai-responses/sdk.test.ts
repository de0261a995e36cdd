import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { openAIResponsesFormat } from '../../../../src/formats/openai-responses/index.js';
import type { ChatResponse, StreamEvent } from '../../../../src/ir/chat.js';
import { encodeEvents, fakeOpenAIClient, fixtureReader } from '../../../support/codec-helpers.js';

const { fixtureJson } = fixtureReader('formats/openai-responses');

/**
 * The official SDK reading what the encoders write: its stream accumulator is strict about
 * event order and indexes (it throws on a delta for an item or part it has not seen), and it
 * computes `output_text` itself from the output items.
 */

const body = fixtureJson('request-for-responses.json');
// What the SDK sends does not matter here (fetch is stubbed); the SDK reads the answer alone.
const params = { model: 'claude-sonnet', input: 'What is the weather in Paris and Rome?' };

const clientAnswering = (payload: string, contentType: string): OpenAI =>
  fakeOpenAIClient(() => new Response(payload, { headers: { 'content-type': contentType } })).sdk;

const streamText = (events: StreamEvent[], close?: GatewayError): string => encodeEvents(openAIResponsesFormat.createStreamEncoder(body), events, close ?? 'end');

describe('Responses encoders read back through the openai SDK', () => {
  it('responses.create: the non-streamed body, with output_text computed by the SDK', async () => {
    const encoded = openAIResponsesFormat.encodeResponse(fixtureJson<ChatResponse>('response-tool-calls.ir.json'), body);
    const client = clientAnswering(JSON.stringify(encoded), 'application/json');
    const response = await client.responses.create({ ...params, stream: false as const });
    expect(response.output_text).toBe('Checking both cities.');
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    expect(response.usage?.total_tokens).toBe(508);
  });

  it('responses.stream: the final response equals response.completed, and deltas build the same text', async () => {
    const text = streamText(fixtureJson<StreamEvent[]>('stream-full.events.json'));
    const client = clientAnswering(text, 'text/event-stream');
    const stream = client.responses.stream(params);
    const deltas: string[] = [];
    const argumentSnapshots: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    stream.on('response.function_call_arguments.delta', (event) => argumentSnapshots.push(event.snapshot));
    const final = await stream.finalResponse();

    expect(deltas.join('')).toBe('Checking both cities.');
    expect(argumentSnapshots).toEqual(['{"city":', '{"city":"Paris"}', '{"city":"Rome"}']);
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Checking both cities.');
    const completed = JSON.parse(text.trim().split('\n').at(-1)!.slice('data: '.length)).response;
    // The SDK adds `parsed_arguments` and `parsed` (null without zod helpers) as it parses; the rest is as sent.
    const unparsed = JSON.parse(JSON.stringify(final.output, (key, value) => (key === 'parsed' || key === 'parsed_arguments' ? undefined : value)));
    expect(unparsed).toEqual(completed.output);
    expect(final.usage).toEqual(completed.usage);
    expect(final.output[0]).toEqual({
      id: 'rs_msg01StreamAbc_0',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Two cities, two calls.' }],
      encrypted_content: 'EqQBCkgIARABGAIiQL2sig',
    });
  });

  it('responses.create({stream: true}): every event is yielded in sequence', async () => {
    const text = streamText(fixtureJson<StreamEvent[]>('stream-full.events.json'));
    const stream = await clientAnswering(text, 'text/event-stream').responses.create({ ...params, stream: true as const });
    const sequence: number[] = [];
    let last = '';
    for await (const event of stream) {
      sequence.push(event.sequence_number);
      last = event.type;
    }
    expect(sequence).toEqual(sequence.map((_, i) => i));
    expect(last).toBe('response.completed');
  });

  it('a failed stream: the stream helper rejects with the message, a raw stream yields error and response.failed', async () => {
    const text = streamText(
      [
        { type: 'start', id: 'msg_1', model: 'claude', created: 1 },
        { type: 'block_start', index: 0, block: { type: 'text' } },
        { type: 'text_delta', index: 0, text: 'partial' },
      ],
      new GatewayError('upstream_timeout', 'the provider stopped answering'),
    );
    const helper = clientAnswering(text, 'text/event-stream').responses.stream(params);
    await expect(helper.finalResponse()).rejects.toThrow('the provider stopped answering');

    const raw = await clientAnswering(text, 'text/event-stream').responses.create({ ...params, stream: true as const });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of raw) events.push(event);
    expect(events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed']);
    const failed = events.at(-1) as OpenAI.Responses.ResponseFailedEvent;
    expect(failed.response.status).toBe('failed');
    expect(failed.response.error).toEqual({ code: 'server_error', message: 'the provider stopped answering' });
  });
});
