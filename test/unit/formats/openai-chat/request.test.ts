import { describe, expect, it } from 'vitest';
import { openAIChatFormat } from '../../../../src/formats/openai-chat/index.js';
import { chatRequest, fixtureReader, thrownGatewayError } from '../../../support/codec-helpers.js';

const { fixtureJson: fixture } = fixtureReader('formats/openai-chat');

const decode = (body: Record<string, unknown>) => openAIChatFormat.decodeRequest(body);
const base = (extra: Record<string, unknown> = {}) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

const refusal = (body: Record<string, unknown>) => thrownGatewayError(() => decode(body));

describe('Chat Completions request decoding', () => {
  it('decodes a rich request exactly (system+developer, images, files, tools, tool results, reasoning, json_schema, unsupported)', () => {
    expect(decode(fixture('request-rich.json'))).toEqual(fixture('request-rich.ir.json'));
  });

  it('decodes a minimal request with defaults and reports nothing', () => {
    expect(decode(base({ n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false, store: false, temperature: null }))).toEqual(
      chatRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }),
    );
  });

  it('reads max_tokens when max_completion_tokens is absent, and stop arrays', () => {
    const request = decode(base({ max_tokens: 77, stop: ['a', 'b'] }));
    expect(request.maxOutputTokens).toBe(77);
    expect(request.stop).toEqual(['a', 'b']);
    expect(decode(base({ max_tokens: 77, max_completion_tokens: 99 })).maxOutputTokens).toBe(99);
  });

  it('maps every tool_choice form', () => {
    expect(decode(base({ tool_choice: 'none' })).toolChoice).toEqual({ type: 'none' });
    expect(decode(base({ tool_choice: 'required' })).toolChoice).toEqual({ type: 'required' });
    expect(decode(base({ tool_choice: { type: 'function', function: { name: 'f' } } })).toolChoice).toEqual({ type: 'tool', name: 'f' });
    const allowed = decode(base({ tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [] } } }));
    expect(allowed.toolChoice).toEqual({ type: 'required' });
    expect(allowed.unsupported).toEqual(['tool_choice.allowed_tools']);
    expect(refusal(base({ tool_choice: 'sometimes' })).options.param).toBe('tool_choice');
    expect(refusal(base({ tool_choice: { type: 'custom', custom: { name: 'x' } } })).options.param).toBe('tool_choice.type');
  });

  it('maps reasoning_effort: none turns reasoning off, xhigh and max become high', () => {
    expect(decode(base({ reasoning_effort: 'none' })).reasoning).toEqual({ enabled: false });
    expect(decode(base({ reasoning_effort: 'minimal' })).reasoning).toEqual({ enabled: true, effort: 'minimal' });
    expect(decode(base({ reasoning_effort: 'xhigh' })).reasoning).toEqual({ enabled: true, effort: 'high' });
    expect(decode(base({ reasoning_effort: 'max' })).reasoning).toEqual({ enabled: true, effort: 'high' });
    expect(refusal(base({ reasoning_effort: 'huge' })).options.param).toBe('reasoning_effort');
  });

  it('reads safety_identifier (which replaces user) as the end user, reporting a different user beside it', () => {
    const request = decode(base({ safety_identifier: 'sid' }));
    expect(request.user).toBe('sid');
    expect(request.unsupported).toEqual([]);
    expect(decode(base({ user: 'u' })).user).toBe('u');
    const both = decode(base({ user: 'u', safety_identifier: 'sid' }));
    expect(both.user).toBe('sid');
    expect(both.unsupported).toEqual(['user']);
    expect(refusal(base({ safety_identifier: 5 })).options.param).toBe('safety_identifier');
  });

  it('reads response_format text and json_object', () => {
    expect(decode(base({ response_format: { type: 'json_object' } })).responseFormat).toEqual({ type: 'json_object' });
    expect(decode(base({ response_format: { type: 'text' } })).responseFormat).toEqual({ type: 'text' });
  });

  it('keeps assistant text, refusals and bare reasoning_content in order', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', reasoning_content: 'hmm', content: [{ type: 'text', text: 'A' }, { type: 'refusal', refusal: 'No.' }] },
        { role: 'assistant', content: '', refusal: 'I cannot.' },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'thinking', text: 'hmm' }, { type: 'text', text: 'A' }, { type: 'text', text: 'No.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I cannot.' }] },
    ]);
  });

  it('starts a new user message for tool results after other turns, and leaves unknown call names out', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'tool', tool_call_id: 'orphan', content: '' },
        { role: 'user', content: 'next' },
        { role: 'tool', tool_call_id: 'orphan2', content: 'x' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'orphan', content: [] }] },
      { role: 'user', content: [{ type: 'text', text: 'next' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'orphan2', content: [{ type: 'text', text: 'x' }] }] },
    ]);
  });

  it('reports prompt cache hints, assistant audio and unknown message fields', () => {
    const request = decode({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q', prompt_cache_breakpoint: { mode: 'explicit' } }] },
        { role: 'assistant', content: 'a', audio: { id: 'audio_1' }, annotations: [], reasoning: null },
        { role: 'user', x_custom: 1, content: [{ type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(request.unsupported).toEqual([
      'messages[].content[].prompt_cache_breakpoint',
      'messages[].audio',
      'messages[].x_custom',
      'messages[].content[].cache_control',
    ]);
  });

  it('refuses what it cannot carry or that OpenAI would refuse, naming the field', () => {
    const audio = refusal({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
    });
    expect(audio.code).toBe('invalid_request');
    expect(audio.status).toBe(400);
    expect(audio.options.param).toBe('messages[0].content[0]');

    expect(refusal({ model: 'm' }).options.param).toBe('messages');
    expect(refusal({ model: 'm', messages: [] }).options.param).toBe('messages');
    expect(refusal({ messages: [{ role: 'user', content: 'hi' }] }).options.param).toBe('model');
    expect(refusal({ model: 'm', messages: [{ role: 'robot', content: 'hi' }] }).options.param).toBe('messages[0].role');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 5 }] }).options.param).toBe('messages[0].content');
    expect(refusal({ model: 'm', messages: ['hi'] }).options.param).toBe('messages[0]');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }).options.param).toBe('messages[0].content[0].type');
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }).options.param).toBe('messages[0].content[0].file');
    expect(
      refusal({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x', detail: 'max' } }] }] })
        .options.param,
    ).toBe('messages[0].content[0].image_url.detail');
    expect(refusal(base({ tools: [{ type: 'custom', custom: { name: 'x' } }] })).options.param).toBe('tools[0].type');
    expect(refusal(base({ tools: [{ type: 'function', function: {} }] })).options.param).toBe('tools[0].function.name');
    expect(refusal(base({ functions: [{ name: 'f' }] })).options.param).toBe('functions');
    expect(refusal(base({ function_call: 'auto' })).options.param).toBe('function_call');
    expect(refusal({ model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }).options.param).toBe('messages[0].role');
    expect(refusal(base({ temperature: 3 })).options.param).toBe('temperature');
    expect(refusal(base({ max_completion_tokens: 1.5 })).options.param).toBe('max_completion_tokens');
    expect(refusal(base({ stop: 4 })).options.param).toBe('stop');
    expect(refusal(base({ metadata: { a: 1 } })).options.param).toBe('metadata.a');
    expect(refusal(base({ stream: 'yes' })).options.param).toBe('stream');
    expect(refusal(base({ stream_options: { include_usage: 'yes' } })).options.param).toBe('stream_options.include_usage');
    expect(
      refusal({
        model: 'm',
        messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }],
      }).options.param,
    ).toBe('messages[0].tool_calls[0].function.arguments');
    expect(
      refusal({ model: 'm', messages: [{ role: 'assistant', content: 'a', reasoning_details: [{ type: 'reasoning.odd' }] }] }).options.param,
    ).toBe('messages[0].reasoning_details[0].type');
  });

  it('keeps data URLs that are not base64 as URLs', () => {
    const request = decode({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E' } }] }],
    });
    expect(request.messages[0]!.content).toEqual([{ type: 'image', source: { type: 'url', url: 'data:image/svg+xml,%3Csvg%2F%3E' } }]);
  });
});
