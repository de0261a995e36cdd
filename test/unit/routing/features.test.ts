// chatFeatures and plainFeatures: what routing reads of a request, from hand-built IR.

import { describe, expect, it } from 'vitest';
import type { ChatRequest, ImagePart, Message } from '../../../src/ir/chat.js';
import { ESTIMATE_RULES, estimateInputTokens } from '../../../src/ir/token-estimate.js';
import { chatFeatures, plainFeatures } from '../../../src/routing/features.js';
import { named } from './helpers.js';

const image: ImagePart = { type: 'image', source: { type: 'url', url: 'https://example.test/cat.png' } };
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

function chat(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'auto', system: [], messages: [user('hello')], tools: [], stop: [], stream: false, unsupported: [], ...overrides };
}

const weather = { name: 'weather', parameters: { type: 'object', properties: {} } };

describe('chatFeatures: what the request uses', () => {
  it('reports nothing special for a plain text request', () => {
    expect(chatFeatures(chat())).toMatchObject({ images: false, tools: false, json: false, thinking: false, maxOutputTokens: undefined });
  });

  it.each(named([
    {
      why: 'an image in a user message',
      request: chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, image] }] }),
    },
    {
      why: 'an image inside a tool result',
      request: chat({
        messages: [
          user('take a screenshot'),
          { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'shot', arguments: '{}' }] },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'here' }, image] }] },
        ],
      }),
    },
    {
      why: 'an image in an earlier turn',
      request: chat({ messages: [{ role: 'user', content: [image] }, { role: 'assistant', content: [{ type: 'text', text: 'a cat' }] }, user('and now?')] }),
    },
  ], (r) => `sees images in ${r.why}`))('%s', (_name, { request }) => {
    expect(chatFeatures(request).images).toBe(true);
  });

  it('does not count a text-only tool result or a document as an image', () => {
    const request = chat({
      messages: [
        { role: 'user', content: [{ type: 'document', source: { type: 'text', text: 'notes' } }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    });
    expect(chatFeatures(request).images).toBe(false);
  });

  it.each(named([
    { tools: [], expected: false },
    { tools: [weather], expected: true },
  ], (r) => `reports tools=${r.expected} with ${r.tools.length} tool definitions`))('%s', (_name, { tools, expected }) => {
    expect(chatFeatures(chat({ tools })).tools).toBe(expected);
  });

  it.each(named([
    { format: undefined, expected: false },
    { format: { type: 'text' }, expected: false },
    { format: { type: 'json_object' }, expected: true },
    { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' } }, expected: true },
  ] as Array<{ format: ChatRequest['responseFormat']; expected: boolean }>, (r) => `reports json=${r.expected} for response format ${r.format?.type ?? 'unset'}`))('%s', (_name, { format, expected }) => {
    expect(chatFeatures(chat(format ? { responseFormat: format } : {})).json).toBe(expected);
  });

  it.each(named([
    { reasoning: undefined, expected: false },
    { reasoning: { enabled: false }, expected: false },
    { reasoning: { enabled: true, effort: 'high' }, expected: true },
    { reasoning: { enabled: true, budgetTokens: 2048 }, expected: true },
  ] as Array<{ reasoning: ChatRequest['reasoning']; expected: boolean }>, (r) => `reports thinking=${r.expected} for reasoning ${JSON.stringify(r.reasoning) ?? 'unset'}`))('%s', (_name, { reasoning, expected }) => {
    expect(chatFeatures(chat(reasoning ? { reasoning } : {})).thinking).toBe(expected);
  });

  it('carries the client’s output cap', () => {
    expect(chatFeatures(chat({ maxOutputTokens: 321 })).maxOutputTokens).toBe(321);
  });

  it('estimates the prompt with the gateway’s byte rule', () => {
    const request = chat({ system: [{ type: 'text', text: 'be brief' }], messages: [user('12345678'), { role: 'user', content: [image] }] });
    // "be brief" 8 bytes = 2, two messages 3 + (8 bytes = 2) and 3 + one image.
    expect(chatFeatures(request).inputTokens).toBe(2 + 3 + 2 + 3 + ESTIMATE_RULES.tokensPerImage);
    expect(chatFeatures(request).inputTokens).toBe(estimateInputTokens(request));
  });
});

describe('chatFeatures: digest', () => {
  it('holds the system prompt and the last user turn, not earlier turns or the assistant', () => {
    const request = chat({
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Answer in French.' }],
      messages: [user('first question'), { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] }, user('second question')],
    });
    expect(chatFeatures(request).digest).toBe('system: You are terse.\nAnswer in French.\nuser: second question');
  });

  it('has only the user part without a system prompt', () => {
    expect(chatFeatures(chat({ messages: [user('hi there')] })).digest).toBe('user: hi there');
  });

  it('is an empty user part when no user turn exists', () => {
    expect(chatFeatures(chat({ messages: [{ role: 'assistant', content: [{ type: 'text', text: 'prefill' }] }] })).digest).toBe('user: ');
  });

  it('shows images, documents and tool results of the last user turn in text', () => {
    const request = chat({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            image,
            { type: 'document', source: { type: 'text', text: 'secret' } },
            { type: 'tool_result', toolCallId: 'c', content: [{ type: 'text', text: 'tool says 42' }] },
          ],
        },
      ],
    });
    expect(chatFeatures(request).digest).toBe('user: compare\n[image]\n[document]\ntool says 42');
  });

  it.each(named([
    { part: 'system', build: (text: string) => chat({ system: [{ type: 'text', text }], messages: [user('q')] }), prefix: 'system: ' },
    { part: 'last user turn', build: (text: string) => chat({ messages: [user(text)] }), prefix: 'user: ' },
  ], (r) => `truncates the ${r.part} to 1500 characters with an ellipsis`))('%s', (_name, { build, prefix }) => {
    const long = 'x'.repeat(1500) + 'TAIL';
    const digest = chatFeatures(build(long)).digest;
    expect(digest).toContain(`${prefix}${'x'.repeat(1500)}…`);
    expect(digest).not.toContain('TAIL');
    expect(chatFeatures(build('y'.repeat(1500))).digest).toContain(`${prefix}${'y'.repeat(1500)}`);
    expect(chatFeatures(build('y'.repeat(1500))).digest).not.toContain('…');
  });
});

describe('plainFeatures', () => {
  it('sizes a body by the byte rule, bounds it by its bytes, and needs nothing special', () => {
    expect(plainFeatures('{"input":"abcdefgh"}')).toEqual({
      images: false,
      tools: false,
      json: false,
      thinking: false,
      inputTokens: Math.ceil(20 / ESTIMATE_RULES.bytesPerToken),
      inputTokensBound: 20,
      maxOutputTokens: undefined,
      digest: '',
    });
  });
});
