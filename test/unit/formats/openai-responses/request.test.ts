import { describe, expect, it } from 'vitest';
import { openAIResponsesFormat } from '../../../../src/formats/openai-responses/index.js';
import { fixtureReader, thrownGatewayError } from '../../../support/codec-helpers.js';

const { fixtureJson } = fixtureReader('formats/openai-responses');

const decode = (body: Record<string, unknown>) => openAIResponsesFormat.decodeRequest(body);

const refusal = (body: Record<string, unknown>) => thrownGatewayError(() => decode(body));

describe('Responses decodeRequest', () => {
  it('reads a string input with instructions as one user message and system text', () => {
    expect(decode(fixtureJson('request-string-input.json'))).toEqual(fixtureJson('request-string-input.ir.json'));
  });

  it('reads an item list: images, files, reasoning with signatures, function calls and outputs, merged turns', () => {
    expect(decode(fixtureJson('request-items.json'))).toEqual(fixtureJson('request-items.ir.json'));
  });

  it.each([
    ['a built-in tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type', "the 'web_search' tool"],
    ['an MCP tool', { tools: [{ type: 'function', name: 'f' }, { type: 'mcp', server_label: 'x' }] }, 'tools[1].type', "the 'mcp' tool"],
    ['a built-in tool choice', { tool_choice: { type: 'file_search' } }, 'tool_choice.type', "the 'file_search' tool"],
    ['previous_response_id', { previous_response_id: 'resp_123' }, 'previous_response_id', 'stores no responses'],
    ['conversation', { conversation: 'conv_123' }, 'conversation', 'stores no conversations'],
    ['a stored prompt', { prompt: { id: 'pmpt_1' } }, 'prompt', 'prompt templates'],
    ['an item reference', { input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type', 'stores none'],
    ['a built-in tool call in history', { input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }] }, 'input[0].type', 'web_search_call'],
    ['an image by file id', { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] }, 'input[0].content[0].file_id', 'file id'],
    ['a file in a tool output', { input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'input_file', file_id: 'f' }] }] }, 'input[0].output[0].type', 'files in function call outputs'],
    ['an image in a system message', { input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input[0].content[0].type', "must be 'input_text'"],
    ['a missing input', { input: undefined }, 'input', "'input' is required"],
    ['a wrong role', { input: [{ role: 'tool', content: 'x' }] }, 'input[0].role', 'must be one of'],
    ['a non-string function name', { input: [{ type: 'function_call', call_id: 'c', name: 3, arguments: '{}' }] }, 'input[0].name', 'must be a string'],
    ['metadata that is not strings', { metadata: { n: 1 } }, 'metadata.n', 'must be a string'],
  ])('refuses %s with a 400 naming the parameter', (_label, extra, param, message) => {
    const error = refusal({ model: 'm', input: 'hi', ...extra });
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.options.param).toBe(param);
    expect(error.message).toContain(message);
  });

  it('offers only the allowed tools of an allowed_tools choice, keeping its mode', () => {
    const request = decode({
      model: 'm',
      input: 'hi',
      tools: [
        { type: 'function', name: 'a', parameters: { type: 'object' } },
        { type: 'function', name: 'b', parameters: { type: 'object' } },
      ],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'b' }] },
    });
    expect(request.tools.map((tool) => tool.name)).toEqual(['b']);
    expect(request.toolChoice).toEqual({ type: 'required' });
  });

  it('reads tool_choice strings and reasoning efforts beyond the IR', () => {
    expect(decode({ model: 'm', input: 'x', tool_choice: 'none' }).toolChoice).toEqual({ type: 'none' });
    expect(decode({ model: 'm', input: 'x', reasoning: { effort: 'none' } }).reasoning).toEqual({ enabled: false });
    expect(decode({ model: 'm', input: 'x', reasoning: { effort: 'xhigh' } }).reasoning).toEqual({ enabled: true, effort: 'high' });
    expect(decode({ model: 'm', input: 'x', reasoning: { summary: 'auto' } }).reasoning).toBeUndefined();
  });

  it('reports only parameters that ask for something the gateway does not do', () => {
    const quiet = decode({
      model: 'm',
      input: 'x',
      store: false,
      background: false,
      truncation: 'disabled',
      top_logprobs: 0,
      include: ['reasoning.encrypted_content'],
      stream_options: { include_obfuscation: false },
      service_tier: null,
      reasoning: { effort: 'low', summary: 'auto' },
    });
    expect(quiet.unsupported).toEqual([]);
    const loud = decode({ model: 'm', input: 'x', background: true, top_logprobs: 3, max_tool_calls: 2, user: 'u1', safety_identifier: 's1' });
    expect(loud.unsupported).toEqual(['user', 'background', 'top_logprobs', 'max_tool_calls']);
    expect(loud.user).toBe('s1');
  });

  it('reports function tool fields the IR has no place for, unless they ask for nothing', () => {
    const tool = { type: 'function', name: 'f', parameters: null, strict: null, description: null };
    const quiet = decode({ model: 'm', input: 'x', tools: [{ ...tool, defer_loading: false, output_schema: null }] });
    expect(quiet.unsupported).toEqual([]);
    const loud = decode({ model: 'm', input: 'x', tools: [{ ...tool, defer_loading: true, output_schema: { type: 'object' } }] });
    expect(loud.unsupported).toEqual(['tools[].defer_loading', 'tools[].output_schema']);
    expect(loud.tools).toEqual([{ name: 'f', parameters: { type: 'object', properties: {} } }]);
  });

  it('keeps an assistant refusal as its text, joins multi-part summaries, and reads bare base64 files', () => {
    const request = decode({
      model: 'm',
      input: [
        { role: 'user', content: [{ type: 'input_file', filename: 'notes.txt', file_data: 'aGVsbG8=' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'a' }, { type: 'summary_text', text: 'b' }] },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
        { type: 'function_call_output', call_id: 'c1', output: '' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'document', source: { type: 'base64', mediaType: 'text/plain', data: 'aGVsbG8=' }, filename: 'notes.txt' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'a\n\nb' },
          { type: 'text', text: 'I cannot help with that.' },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [] }] },
    ]);
  });
});
