import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../src/errors.js';
import { openAICompatibleChat, openAICompatibleEmbeddings, OPENAI_COMPATIBLE_VENDORS, readOpenAIError } from '../../../../src/providers/openai/index.js';
import { fixtureJson, model } from './helpers.js';

const codec = openAICompatibleChat(OPENAI_COMPATIBLE_VENDORS.openai);

describe('OpenAI chat completion -> IR', () => {
  it('reads a text answer with its usage', () => {
    expect(codec.decodeResponse(fixtureJson('chat-completion-text.json'))).toEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      model: 'gpt-4.1-2025-04-14',
      created: 1741569952,
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      stopReason: 'end_turn',
      usage: { inputTokens: 19, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('reads parallel tool calls in order', () => {
    expect(codec.decodeResponse(fixtureJson('chat-completion-parallel-tools.json'))).toEqual({
      id: 'chatcmpl-abc123',
      model: 'gpt-4o-mini',
      created: 1699896916,
      content: [
        { type: 'tool_call', id: 'call_abc123', name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' },
        { type: 'tool_call', id: 'call_def456', name: 'get_current_weather', arguments: '{\n"location": "Paris, FR"\n}' },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 82, outputTokens: 47, cachedInputTokens: 64, cacheWriteTokens: 0 },
    });
  });

  it('reads a refusal as text with stop reason refusal', () => {
    const response = codec.decodeResponse(fixtureJson('chat-completion-refusal.json'));
    expect(response.content).toEqual([{ type: 'text', text: "I'm sorry, I cannot assist with that request." }]);
    expect(response.stopReason).toBe('refusal');
  });

  it('reads OpenRouter reasoning_details (signed and encrypted) before the text, once', () => {
    const response = codec.decodeResponse(fixtureJson('chat-completion-openrouter-reasoning.json'));
    expect(response.content).toEqual([
      { type: 'thinking', text: 'Let me think about this.', signature: 'EqoBCkgIARABGAIiQL2' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
      { type: 'text', text: 'The answer is 42.' },
    ]);
  });

  it('reads Mistral thinking chunks in content', () => {
    const response = codec.decodeResponse(fixtureJson('chat-completion-mistral-thinking.json'));
    expect(response.content).toEqual([
      { type: 'thinking', text: 'Two plus two is four.' },
      { type: 'text', text: '4' },
    ]);
  });

  it('reads reasoning_content (DeepSeek), and maps finish reasons', () => {
    const body = (message: Record<string, unknown>, finish: string | null) => ({ id: 'x', model: 'm', created: 1, choices: [{ index: 0, message, finish_reason: finish }] });
    expect(codec.decodeResponse(body({ content: 'B', reasoning_content: 'A' }, 'length')).content).toEqual([
      { type: 'thinking', text: 'A' },
      { type: 'text', text: 'B' },
    ]);
    expect(codec.decodeResponse(body({ content: 'x' }, 'length')).stopReason).toBe('max_tokens');
    expect(codec.decodeResponse(body({ content: 'x' }, 'content_filter')).stopReason).toBe('content_filter');
    expect(codec.decodeResponse(body({ content: 'x' }, 'function_call')).stopReason).toBe('tool_use');
    expect(codec.decodeResponse(body({ content: 'x', reasoning: 'r' }, null))).toMatchObject({ stopReason: 'end_turn', content: [{ type: 'thinking', text: 'r' }, { type: 'text', text: 'x' }] });
    // A vendor that says `stop` after calling tools still called tools.
    const call = { id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } };
    expect(codec.decodeResponse(body({ content: null, tool_calls: [call, { type: 'custom', custom: {} }] }, 'stop'))).toMatchObject({
      stopReason: 'tool_use',
      content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }],
    });
  });

  it('gives tool calls a vendor sent without ids distinct ids', () => {
    const calls = [{ type: 'function', function: { name: 'f', arguments: '{}' } }, { id: '', type: 'function', function: { name: 'g', arguments: '{}' } }];
    const response = codec.decodeResponse({ id: 'x', model: 'm', created: 1, choices: [{ index: 0, message: { content: null, tool_calls: calls }, finish_reason: 'tool_calls' }] });
    const ids = response.content.map((part) => (part.type === 'tool_call' ? part.id : ''));
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('refuses bodies that are not chat completions', () => {
    for (const body of [null, 'text', { choices: 'x' }, { choices: [] }, { choices: [{ message: 3 }] }]) {
      expect(() => codec.decodeResponse(body)).toThrow(GatewayError);
    }
  });
});

describe('OpenAI errors', () => {
  it('reads OpenAI, Mistral, Ollama and FastAPI error bodies', () => {
    expect(readOpenAIError(fixtureJson('error.json'))).toEqual({
      message: 'Incorrect API key provided: sk-abc***xyz. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_api_key',
    });
    expect(readOpenAIError(fixtureJson('error-mistral.json'))).toEqual({
      message: '{"detail":[{"type":"extra_forbidden","loc":["body","stream_options"],"msg":"Extra inputs are not permitted","input":{"include_usage":true}}]}',
      type: 'invalid_request_error',
    });
    expect(readOpenAIError({ error: 'model "x" not found' })).toEqual({ message: 'model "x" not found' });
    expect(readOpenAIError({ detail: 'Not Found' })).toEqual({ message: 'Not Found' });
    expect(readOpenAIError({ error: { message: 'boom', type: 'server_error', code: null } })).toEqual({ message: 'boom', type: 'server_error' });
    expect(readOpenAIError('oops')).toBeUndefined();
    expect(readOpenAIError({ hello: 1 })).toBeUndefined();
  });
});

describe('OpenAI-compatible embeddings', () => {
  it('encodes the request per vendor', () => {
    const openai = openAICompatibleEmbeddings(OPENAI_COMPATIBLE_VENDORS.openai)!;
    const { request, dropped } = openai.encodeRequest({ model: 'e', input: ['a', 'b'], dimensions: 256, user: 'u', unsupported: [] }, model());
    expect(request.url).toBe('https://up.example/v1/embeddings');
    expect(request.body).toBe('{"model":"upstream-model","input":["a","b"],"dimensions":256,"user":"u","encoding_format":"float"}');
    expect(request.headers.get('authorization')).toBe('Bearer sk-provider');
    expect(dropped).toEqual([]);

    const mistral = openAICompatibleEmbeddings(OPENAI_COMPATIBLE_VENDORS.mistral)!;
    const encoded = mistral.encodeRequest({ model: 'e', input: ['a'], dimensions: 256, user: 'u', unsupported: [] }, model());
    expect(encoded.request.body).toBe('{"model":"upstream-model","input":["a"],"output_dimension":256,"encoding_format":"float"}');
    expect(encoded.dropped).toEqual(['user']);
    expect(() => mistral.encodeRequest({ model: 'e', input: [[1, 2]], unsupported: [] }, model())).toThrow(GatewayError);

    const azure = openAICompatibleEmbeddings(OPENAI_COMPATIBLE_VENDORS.azure)!;
    expect(azure.encodeRequest({ model: 'e', input: [[1, 2]], unsupported: [] }, model()).request.headers.get('api-key')).toBe('sk-provider');
    expect(openAICompatibleEmbeddings(OPENAI_COMPATIBLE_VENDORS.deepseek)).toBeUndefined();
  });

  it('decodes vectors into input order', () => {
    const codec = openAICompatibleEmbeddings(OPENAI_COMPATIBLE_VENDORS.openai)!;
    expect(codec.decodeResponse(fixtureJson('embeddings.json'))).toEqual({
      model: 'text-embedding-3-small',
      vectors: [
        [0.0072307, 0.0145011, -0.0150343],
        [0.0023064255, -0.009327292, -0.0028842222],
      ],
      inputTokens: 8,
    });
    expect(() => codec.decodeResponse({ data: [{ embedding: 'base64==' }] })).toThrow(GatewayError);
    expect(() => codec.decodeResponse({})).toThrow(GatewayError);
  });
});
