// Malformed-but-JSON bodies for each client route, and what the gateway must answer to each
// when the call is translated. Bodies are built from the route's valid body, as JSON text so
// that what JSON.stringify cannot write (10k-deep nesting, `__proto__` keys) can be sent too.

import { MAX_BODY_BYTES } from './context.js';

/**
 * `refused`: the gateway itself answers this status (naming `param` where given) and the
 * provider receives nothing. `ok`: the body is valid for the API, if odd, and is answered.
 * `not5xx`: valid JSON whose fate is the provider's to decide (a 200 or its 4xx, never a 5xx).
 */
export type Outcome = { refused: 400 | 413; param?: string } | 'ok' | 'not5xx';

export interface BadInputCase {
  name: string;
  body: (valid: Record<string, unknown>) => string;
  outcome: Outcome;
}

const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);
const DEEP_OBJECT = '{"a":'.repeat(10_000) + '{}' + '}'.repeat(10_000);
const LONG_TEXT = 'long '.repeat(40_000);
/** Lone surrogates: valid JSON escapes, not valid UTF-16 text. */
const LONE_SURROGATES = 'a \ud800 b \udfff c \ud83d';

const refuse = (param?: string): Outcome => (param === undefined ? { refused: 400 } : { refused: 400, param });
/** Translation re-serializes parts of the body: nesting past the gateway's limit is refused whole (no param). */
const tooDeep = refuse();
/** A schema nested 100 levels: deep, but within what the gateway translates. */
const DEEP_100 = '{"type":"object","properties":{"a":'.repeat(100) + '{"type":"string"}' + '}}'.repeat(100);

/** The valid body with top-level fields replaced. */
const patch =
  (fields: Record<string, unknown>) =>
  (valid: Record<string, unknown>): string =>
    JSON.stringify({ ...valid, ...fields });

/** The valid body with `fields` (holding `RAW_MARK` where `json` goes) replaced: for text JSON.stringify cannot write. */
const RAW_MARK = '__raw_json__';
const RAW = JSON.stringify(RAW_MARK);
const patchRaw =
  (fields: Record<string, unknown>, json: string) =>
  (valid: Record<string, unknown>): string =>
    JSON.stringify({ ...valid, ...fields }).replace(RAW, json);

const tooLarge: BadInputCase = {
  name: 'a body over the size limit',
  body: patch({ padding: 'x'.repeat(MAX_BODY_BYTES) }),
  outcome: { refused: 413 },
};

/** Cases every route shares, by the name of the field that holds its turns or input. */
function commonCases(): BadInputCase[] {
  return [
    { name: 'model as a number', body: patch({ model: 42 }), outcome: refuse('model') },
    { name: 'a 10k-deep array in an unknown field', body: patchRaw({ routerly_extra: RAW_MARK }, DEEP_ARRAY), outcome: tooDeep },
    { name: 'a __proto__ key at the top level', body: (valid) => JSON.stringify(valid).replace(/^\{/, '{"__proto__":{"polluted":true},'), outcome: 'ok' },
    tooLarge,
  ];
}

const chatUser = (content: unknown) => ({ messages: [{ role: 'user', content }] });
const chatTools = (tool: unknown, extra: Record<string, unknown> = {}) => ({ tools: [tool], ...extra });
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const assistantThenUser = (assistant: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', ...assistant }, { role: 'user', content: 'go on' }],
});

export function chatCompletionsCases(): BadInputCase[] {
  return [
    ...commonCases(),
    { name: 'messages as an object', body: patch({ messages: { role: 'user', content: 'hi' } }), outcome: refuse('messages') },
    { name: 'messages empty', body: patch({ messages: [] }), outcome: refuse('messages') },
    { name: 'a message as a string', body: patch({ messages: ['hi'] }), outcome: refuse('messages[0]') },
    { name: 'a message without role', body: patch({ messages: [{ content: 'hi' }] }), outcome: refuse('messages[0].role') },
    { name: 'an unknown role', body: patch({ messages: [{ role: 'robot', content: 'hi' }] }), outcome: refuse('messages[0].role') },
    { name: 'a message whose role is only in __proto__', body: patchRaw({ messages: [RAW_MARK] }, '{"__proto__":{"role":"user","content":"hi"}}'), outcome: refuse('messages[0].role') },
    { name: 'content as a number', body: patch(chatUser(42)), outcome: refuse('messages[0].content') },
    { name: 'user content null', body: patch(chatUser(null)), outcome: refuse('messages[0].content') },
    { name: 'a part that is a string', body: patch(chatUser(['hi'])), outcome: refuse('messages[0].content[0]') },
    { name: 'a part of unknown type', body: patch(chatUser([{ type: 'video', video: 'x' }])), outcome: refuse('messages[0].content[0].type') },
    { name: 'a text part with a numeric text', body: patch(chatUser([{ type: 'text', text: 7 }])), outcome: refuse('messages[0].content[0].text') },
    { name: 'image_url without url', body: patch(chatUser([{ type: 'image_url', image_url: { detail: 'low' } }])), outcome: refuse('messages[0].content[0].image_url.url') },
    { name: 'image_url as a string', body: patch(chatUser([{ type: 'image_url', image_url: 'https://example.com/a.png' }])), outcome: refuse('messages[0].content[0].image_url') },
    { name: 'image detail unknown', body: patch(chatUser([{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'ultra' } }])), outcome: refuse('messages[0].content[0].image_url.detail') },
    { name: 'a data: URL with no comma', body: patch(chatUser([{ type: 'image_url', image_url: { url: 'data:garbage' } }])), outcome: refuse('messages[0].content[0].image_url.url') },
    { name: 'a data: URL with nothing after the comma', body: patch(chatUser([{ type: 'image_url', image_url: { url: 'data:image/png;base64,' } }])), outcome: refuse('messages[0].content[0].image_url.url') },
    { name: 'a base64 data: URL whose payload is not base64', body: patch(chatUser([{ type: 'image_url', image_url: { url: 'data:image/png;base64,@@not base64!!' } }])), outcome: refuse('messages[0].content[0].image_url.url') },
    { name: 'a file part with neither data nor id', body: patch(chatUser([{ type: 'file', file: { filename: 'a.pdf' } }])), outcome: refuse('messages[0].content[0].file') },
    { name: 'an audio part', body: patch(chatUser([{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }])), outcome: refuse('messages[0].content[0]') },
    { name: 'assistant content as a number', body: patch(assistantThenUser({ content: 3 })), outcome: refuse('messages[1].content') },
    { name: 'tool_calls not an array', body: patch(assistantThenUser({ content: null, tool_calls: { id: 'c1' } })), outcome: refuse('messages[1].tool_calls') },
    { name: 'a tool call without function name', body: patch(assistantThenUser({ tool_calls: [{ id: 'c1', type: 'function', function: { arguments: '{}' } }] })), outcome: refuse('messages[1].tool_calls[0].function.name') },
    { name: 'tool call arguments as an object', body: patch(assistantThenUser({ tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: {} } }] })), outcome: refuse('messages[1].tool_calls[0].function.arguments') },
    { name: 'a tool message without tool_call_id', body: patch({ messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: 'x' }] }), outcome: refuse('messages[1].tool_call_id') },
    { name: 'reasoning_details not an array', body: patch(assistantThenUser({ content: 'ok', reasoning_details: 'x' })), outcome: refuse('messages[1].reasoning_details') },
    { name: 'tools not an array', body: patch({ tools: weather }), outcome: refuse('tools') },
    { name: 'a tool with no name', body: patch(chatTools({ type: 'function', function: { parameters: {} } })), outcome: refuse('tools[0].function.name') },
    { name: 'a tool without function', body: patch(chatTools({ type: 'function' })), outcome: refuse('tools[0].function') },
    { name: 'tool parameters as a string', body: patch(chatTools({ type: 'function', function: { name: 'f', parameters: 'object' } })), outcome: refuse('tools[0].function.parameters') },
    { name: 'tool_choice naming no tool', body: patch(chatTools(weather, { tool_choice: { type: 'function', function: {} } })), outcome: refuse('tool_choice.function.name') },
    { name: 'tool_choice of unknown mode', body: patch(chatTools(weather, { tool_choice: 'sometimes' })), outcome: refuse('tool_choice') },
    { name: 'tool_choice naming a tool not in tools', body: patch(chatTools(weather, { tool_choice: { type: 'function', function: { name: 'nope' } } })), outcome: 'not5xx' },
    { name: 'response_format json_schema without json_schema', body: patch({ response_format: { type: 'json_schema' } }), outcome: refuse('response_format.json_schema') },
    { name: 'response_format json_schema without name', body: patch({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), outcome: refuse('response_format.json_schema.name') },
    { name: 'response_format of unknown type', body: patch({ response_format: { type: 'xml' } }), outcome: refuse('response_format.type') },
    { name: 'response_format json_schema with a name and no schema (allowed)', body: patch({ response_format: { type: 'json_schema', json_schema: { name: 'out' } } }), outcome: 'ok' },
    { name: 'a 10k-deep json_schema', body: patchRaw({ response_format: { type: 'json_schema', json_schema: { name: 'deep', schema: RAW_MARK } } }, DEEP_OBJECT), outcome: tooDeep },
    { name: 'a 10k-deep tool schema', body: patchRaw({ tools: [{ type: 'function', function: { name: 'f', strict: true, parameters: RAW_MARK } }] }, DEEP_OBJECT), outcome: tooDeep },
    { name: 'a 100-deep strict tool schema and json_schema', body: patchRaw({ tools: [{ type: 'function', function: { name: 'f', strict: true, parameters: RAW_MARK } }], response_format: { type: 'json_schema', json_schema: { name: 'deep', schema: { type: 'object' } } } }, DEEP_100), outcome: 'ok' },
    { name: 'a file whose name ends in .constructor', body: patch(chatUser([{ type: 'file', file: { filename: 'a.constructor', file_data: 'JVBERi0xLjQK' } }])), outcome: 'ok' },
    { name: 'temperature as a string', body: patch({ temperature: '0.5' }), outcome: refuse('temperature') },
    { name: 'temperature out of range', body: patch({ temperature: 5 }), outcome: refuse('temperature') },
    { name: 'top_p out of range', body: patch({ top_p: 2 }), outcome: refuse('top_p') },
    { name: 'max_tokens negative', body: patch({ max_tokens: -1 }), outcome: refuse('max_tokens') },
    { name: 'max_tokens a float', body: patch({ max_tokens: 1.5 }), outcome: refuse('max_tokens') },
    { name: 'max_completion_tokens zero', body: patch({ max_completion_tokens: 0 }), outcome: refuse('max_completion_tokens') },
    { name: 'max_tokens huge', body: patch({ max_tokens: 1e15 }), outcome: 'not5xx' },
    { name: 'stop as a number', body: patch({ stop: 5 }), outcome: refuse('stop') },
    { name: 'stop with a number in it', body: patch({ stop: ['a', 1] }), outcome: refuse('stop[1]') },
    { name: 'seed a float', body: patch({ seed: 1.5 }), outcome: refuse('seed') },
    { name: 'reasoning_effort unknown', body: patch({ reasoning_effort: 'extreme' }), outcome: refuse('reasoning_effort') },
    { name: 'metadata with a numeric value', body: patch({ metadata: { a: 1 } }), outcome: refuse('metadata.a') },
    { name: 'user as a number', body: patch({ user: 5 }), outcome: refuse('user') },
    { name: 'parallel_tool_calls as a string', body: patch({ parallel_tool_calls: 'no' }), outcome: refuse('parallel_tool_calls') },
    { name: 'stream as a string', body: patch({ stream: 'yes' }), outcome: refuse('stream') },
    { name: 'stream_options as a string', body: patch({ stream_options: 'x' }), outcome: refuse('stream_options') },
    { name: 'content a 10k-deep array', body: patchRaw(chatUser(RAW_MARK), DEEP_ARRAY), outcome: tooDeep },
    { name: 'a very long text', body: patch(chatUser(LONG_TEXT)), outcome: 'ok' },
    { name: 'lone surrogates in text', body: patch({ ...chatUser(LONE_SURROGATES), user: LONE_SURROGATES }), outcome: 'ok' },
    { name: 'a __proto__ key in a message and a part', body: patchRaw(chatUser([RAW_MARK]), '{"type":"text","text":"hi","__proto__":{"type":"image_url"}}'), outcome: 'ok' },
    {
      name: 'nulls in every optional field',
      body: patch({
        messages: [{ role: 'user', content: 'hi', name: null }],
        temperature: null, top_p: null, max_tokens: null, max_completion_tokens: null, stop: null, tools: null, tool_choice: null,
        response_format: null, seed: null, user: null, metadata: null, reasoning_effort: null, parallel_tool_calls: null, stream: null,
        stream_options: null, n: null, logprobs: null,
      }),
      outcome: 'ok',
    },
  ];
}

const messagesUser = (content: unknown) => ({ messages: [{ role: 'user', content }] });
const toolTurn = (input: unknown) => ({
  messages: [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
  ],
});
const anthropicTool = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

/** For /v1/messages and /v1/messages/count_tokens (`withMaxTokens`: whether the route has max_tokens). */
export function messagesCases(withMaxTokens: boolean): BadInputCase[] {
  const cases: BadInputCase[] = [
    ...commonCases(),
    { name: 'messages as an object', body: patch({ messages: { role: 'user', content: 'hi' } }), outcome: refuse('messages') },
    { name: 'a message as a number', body: patch({ messages: [1] }), outcome: refuse('messages.0') },
    { name: 'a message without role', body: patch({ messages: [{ content: 'hi' }] }), outcome: refuse('messages.0.role') },
    { name: 'role tool', body: patch({ messages: [{ role: 'tool', content: 'hi' }] }), outcome: refuse('messages.0.role') },
    { name: 'a message whose role is only in __proto__', body: patchRaw({ messages: [RAW_MARK] }, '{"__proto__":{"role":"user","content":"hi"}}'), outcome: refuse('messages.0.role') },
    { name: 'content as a number', body: patch(messagesUser(42)), outcome: refuse('messages.0.content') },
    { name: 'a block without type', body: patch(messagesUser([{ text: 'hi' }])), outcome: refuse('messages.0.content.0.type') },
    { name: 'a block of unknown type', body: patch(messagesUser([{ type: 'video', data: 'x' }])), outcome: refuse('messages.0.content.0.type') },
    { name: 'a text block with numeric text', body: patch(messagesUser([{ type: 'text', text: 7 }])), outcome: refuse('messages.0.content.0.text') },
    { name: 'an image without source', body: patch(messagesUser([{ type: 'image' }])), outcome: refuse('messages.0.content.0.source') },
    { name: 'a base64 image without data', body: patch(messagesUser([{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }])), outcome: refuse('messages.0.content.0.source.data') },
    { name: 'a base64 image whose data is not base64', body: patch(messagesUser([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '@@not base64!!' } }])), outcome: refuse('messages.0.content.0.source.data') },
    { name: 'an image source of unknown type', body: patch(messagesUser([{ type: 'image', source: { type: 'ftp', url: 'x' } }])), outcome: refuse('messages.0.content.0.source.type') },
    { name: 'a tool_use without id', body: patch({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }] }), outcome: refuse('messages.1.content.0.id') },
    { name: 'a tool_result with numeric content', body: patch(messagesUser([{ type: 'tool_result', tool_use_id: 't1', content: 5 }])), outcome: refuse('messages.0.content.0.content') },
    { name: 'a tool_result without tool_use_id', body: patch(messagesUser([{ type: 'tool_result', content: 'x' }])), outcome: refuse('messages.0.content.0.tool_use_id') },
    { name: 'system as a number', body: patch({ system: 5 }), outcome: refuse('system') },
    { name: 'a system block of type image', body: patch({ system: [{ type: 'image', source: {} }] }), outcome: refuse('system.0.type') },
    { name: 'tools not an array', body: patch({ tools: anthropicTool }), outcome: refuse('tools') },
    { name: 'a tool with no name', body: patch({ tools: [{ input_schema: { type: 'object' } }] }), outcome: refuse('tools.0.name') },
    { name: 'a tool without input_schema', body: patch({ tools: [{ name: 'f' }] }), outcome: refuse('tools.0.input_schema') },
    { name: 'a server tool', body: patch({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), outcome: refuse('tools.0.type') },
    { name: 'tool_choice as a string', body: patch({ tools: [anthropicTool], tool_choice: 'auto' }), outcome: refuse('tool_choice') },
    { name: 'tool_choice naming no tool', body: patch({ tools: [anthropicTool], tool_choice: { type: 'tool' } }), outcome: refuse('tool_choice.name') },
    { name: 'tool_choice of unknown type', body: patch({ tools: [anthropicTool], tool_choice: { type: 'sometimes' } }), outcome: refuse('tool_choice.type') },
    { name: 'temperature as a string', body: patch({ temperature: '1' }), outcome: refuse('temperature') },
    { name: 'top_k as a string', body: patch({ top_k: 'x' }), outcome: refuse('top_k') },
    { name: 'stop_sequences as a string', body: patch({ stop_sequences: 'END' }), outcome: refuse('stop_sequences') },
    { name: 'stop_sequences with a number', body: patch({ stop_sequences: [1] }), outcome: refuse('stop_sequences.0') },
    { name: 'thinking budget as a string', body: patch({ thinking: { type: 'enabled', budget_tokens: '2048' } }), outcome: refuse('thinking.budget_tokens') },
    { name: 'thinking enabled without budget', body: patch({ thinking: { type: 'enabled' } }), outcome: refuse('thinking.budget_tokens') },
    { name: 'thinking of unknown type', body: patch({ thinking: { type: 'maybe' } }), outcome: refuse('thinking.type') },
    { name: 'thinking as a string', body: patch({ thinking: 'on' }), outcome: refuse('thinking') },
    { name: 'metadata as a string', body: patch({ metadata: 'x' }), outcome: refuse('metadata') },
    { name: 'metadata.user_id as a number', body: patch({ metadata: { user_id: 5 } }), outcome: refuse('metadata.user_id') },
    { name: 'output_config.format without schema', body: patch({ output_config: { format: { type: 'json_schema' } } }), outcome: refuse('output_config.format.schema') },
    { name: 'output_config.effort unknown', body: patch({ output_config: { effort: 'extreme' } }), outcome: refuse('output_config.effort') },
    { name: "output_config.effort 'constructor'", body: patch({ output_config: { effort: 'constructor' } }), outcome: refuse('output_config.effort') },
    { name: 'stream as a string', body: patch({ stream: 'yes' }), outcome: refuse('stream') },
    { name: 'content a 10k-deep array', body: patchRaw(messagesUser(RAW_MARK), DEEP_ARRAY), outcome: tooDeep },
    { name: 'a 10k-deep tool input', body: patchRaw(toolTurn(RAW_MARK), DEEP_OBJECT), outcome: tooDeep },
    { name: 'a 100-deep tool input', body: patchRaw(toolTurn(RAW_MARK), DEEP_100), outcome: 'ok' },
    { name: 'a very long text', body: patch(messagesUser(LONG_TEXT)), outcome: 'ok' },
    { name: 'lone surrogates in text', body: patch({ ...messagesUser(LONE_SURROGATES), system: LONE_SURROGATES }), outcome: 'ok' },
    { name: 'a __proto__ key in a block', body: patchRaw(messagesUser([RAW_MARK]), '{"type":"text","text":"hi","__proto__":{"type":"image"}}'), outcome: 'ok' },
    {
      name: 'nulls in every optional field',
      body: patch({ system: null, tools: null, tool_choice: null, temperature: null, top_p: null, top_k: null, stop_sequences: null, metadata: null, thinking: null, stream: withMaxTokens ? false : null }),
      outcome: 'ok',
    },
  ];
  if (!withMaxTokens) return cases;
  return [
    ...cases,
    { name: 'max_tokens negative', body: patch({ max_tokens: -1 }), outcome: refuse('max_tokens') },
    { name: 'max_tokens zero', body: patch({ max_tokens: 0 }), outcome: refuse('max_tokens') },
    { name: 'max_tokens a float', body: patch({ max_tokens: 1.5 }), outcome: refuse('max_tokens') },
    { name: 'max_tokens as a string', body: patch({ max_tokens: '16' }), outcome: refuse('max_tokens') },
    { name: 'max_tokens missing', body: (valid) => JSON.stringify({ ...valid, max_tokens: undefined }), outcome: refuse('max_tokens') },
    { name: 'max_tokens huge', body: patch({ max_tokens: 1e15 }), outcome: 'not5xx' },
  ];
}

const responsesItem = (item: unknown) => ({ input: [item] });
const responsesUser = (content: unknown) => responsesItem({ role: 'user', content });

export function responsesCases(): BadInputCase[] {
  return [
    ...commonCases(),
    { name: 'input as a number', body: patch({ input: 5 }), outcome: refuse('input') },
    { name: 'input as an object', body: patch({ input: { role: 'user', content: 'hi' } }), outcome: refuse('input') },
    { name: 'input missing', body: (valid) => JSON.stringify({ ...valid, input: undefined }), outcome: refuse('input') },
    { name: 'an input item that is a string', body: patch(responsesItem('hi')), outcome: refuse('input[0]') },
    { name: 'an item of unknown type', body: patch(responsesItem({ type: 'telepathy', content: 'hi' })), outcome: refuse('input[0].type') },
    { name: 'an item with neither type nor role', body: patch(responsesItem({ content: 'hi' })), outcome: refuse('input[0]') },
    { name: 'a message of unknown role', body: patch(responsesItem({ type: 'message', role: 'robot', content: 'hi' })), outcome: refuse('input[0].role') },
    { name: 'content as a number', body: patch(responsesUser(42)), outcome: refuse('input[0].content') },
    { name: 'a part of unknown type', body: patch(responsesUser([{ type: 'input_video', url: 'x' }])), outcome: refuse('input[0].content[0].type') },
    { name: 'input_image without image_url', body: patch(responsesUser([{ type: 'input_image', detail: 'auto' }])), outcome: refuse('input[0].content[0].image_url') },
    { name: 'input_image with a data: URL with no comma', body: patch(responsesUser([{ type: 'input_image', image_url: 'data:garbage', detail: 'auto' }])), outcome: refuse('input[0].content[0].image_url') },
    { name: 'input_image whose base64 is not base64', body: patch(responsesUser([{ type: 'input_image', image_url: 'data:image/png;base64,%%%', detail: 'auto' }])), outcome: refuse('input[0].content[0].image_url') },
    { name: 'function_call_output without call_id', body: patch(responsesItem({ type: 'function_call_output', output: 'sunny' })), outcome: refuse('input[0].call_id') },
    { name: 'function_call without name', body: patch(responsesItem({ type: 'function_call', call_id: 'c1', arguments: '{}' })), outcome: refuse('input[0].name') },
    { name: 'function_call arguments as an object', body: patch(responsesItem({ type: 'function_call', call_id: 'c1', name: 'f', arguments: {} })), outcome: refuse('input[0].arguments') },
    { name: 'a reasoning item whose summary is a string', body: patch(responsesItem({ type: 'reasoning', summary: 'x' })), outcome: refuse('input[0].summary') },
    { name: 'instructions as a number', body: patch({ instructions: 5 }), outcome: refuse('instructions') },
    { name: 'tools not an array', body: patch({ tools: { type: 'function', name: 'f' } }), outcome: refuse('tools') },
    { name: 'a tool with no name', body: patch({ tools: [{ type: 'function', parameters: {} }] }), outcome: refuse('tools[0].name') },
    { name: 'a built-in tool', body: patch({ tools: [{ type: 'web_search' }] }), outcome: refuse('tools[0].type') },
    { name: 'tool_choice naming no tool', body: patch({ tools: [{ type: 'function', name: 'f', parameters: {} }], tool_choice: { type: 'function' } }), outcome: refuse('tool_choice.name') },
    { name: 'text.format json_schema with no schema', body: patch({ text: { format: { type: 'json_schema', name: 'out' } } }), outcome: refuse('text.format.schema') },
    { name: 'text.format of unknown type', body: patch({ text: { format: { type: 'xml' } } }), outcome: refuse('text.format.type') },
    { name: 'temperature as a string', body: patch({ temperature: 'hot' }), outcome: refuse('temperature') },
    { name: 'max_output_tokens negative', body: patch({ max_output_tokens: -1 }), outcome: refuse('max_output_tokens') },
    { name: 'max_output_tokens a float', body: patch({ max_output_tokens: 1.5 }), outcome: refuse('max_output_tokens') },
    { name: 'max_output_tokens huge', body: patch({ max_output_tokens: 1e15 }), outcome: 'not5xx' },
    { name: 'reasoning.effort unknown', body: patch({ reasoning: { effort: 'extreme' } }), outcome: refuse('reasoning.effort') },
    { name: 'include not an array', body: patch({ include: 'reasoning.encrypted_content' }), outcome: refuse('include') },
    { name: 'metadata as an array', body: patch({ metadata: ['a'] }), outcome: refuse('metadata') },
    { name: 'previous_response_id', body: patch({ previous_response_id: 'resp_1' }), outcome: refuse('previous_response_id') },
    { name: 'stream as a string', body: patch({ stream: 'yes' }), outcome: refuse('stream') },
    { name: 'content a 10k-deep array', body: patchRaw(responsesUser(RAW_MARK), DEEP_ARRAY), outcome: tooDeep },
    { name: 'a very long input', body: patch({ input: LONG_TEXT }), outcome: 'ok' },
    { name: 'lone surrogates in text', body: patch({ input: LONE_SURROGATES, instructions: LONE_SURROGATES }), outcome: 'ok' },
    { name: 'a __proto__ key in an item', body: patchRaw(responsesItem(RAW_MARK), '{"role":"user","content":"hi","__proto__":{"type":"telepathy"}}'), outcome: 'ok' },
    {
      name: 'nulls in every optional field',
      body: patch({ instructions: null, tools: null, tool_choice: null, text: null, temperature: null, top_p: null, max_output_tokens: null, reasoning: null, metadata: null, user: null, stream: null, include: null }),
      outcome: 'ok',
    },
  ];
}

export function embeddingsCases(): BadInputCase[] {
  return [
    ...commonCases(),
    { name: 'input missing', body: (valid) => JSON.stringify({ ...valid, input: undefined }), outcome: refuse('input') },
    { name: 'input as a number', body: patch({ input: 5 }), outcome: refuse('input') },
    { name: 'input [[]]', body: patch({ input: [[]] }), outcome: refuse('input[0]') },
    { name: 'input [{}]', body: patch({ input: [{}] }), outcome: refuse('input[0]') },
    { name: "input ''", body: patch({ input: '' }), outcome: refuse('input') },
    { name: 'input []', body: patch({ input: [] }), outcome: refuse('input') },
    { name: 'input [1.5]', body: patch({ input: [1.5] }), outcome: refuse('input[0]') },
    { name: 'input with an empty string', body: patch({ input: ['a', ''] }), outcome: refuse('input[1]') },
    { name: 'input mixing strings and numbers', body: patch({ input: ['a', 1] }), outcome: refuse('input[0]') },
    { name: 'a negative token id', body: patch({ input: [[1, 2], [-1]] }), outcome: refuse('input[1]') },
    { name: 'token ids (text-only provider)', body: patch({ input: [[1, 2, 3]] }), outcome: refuse() },
    { name: 'over 2048 inputs', body: patch({ input: Array.from({ length: 2049 }, () => 'a') }), outcome: refuse('input') },
    { name: 'dimensions 0', body: patch({ dimensions: 0 }), outcome: refuse('dimensions') },
    { name: 'dimensions a float', body: patch({ dimensions: 1.5 }), outcome: refuse('dimensions') },
    { name: 'dimensions as a string', body: patch({ dimensions: '256' }), outcome: refuse('dimensions') },
    { name: "encoding_format 'x'", body: patch({ encoding_format: 'x' }), outcome: refuse('encoding_format') },
    { name: 'user as a number', body: patch({ user: 5 }), outcome: refuse('user') },
    { name: 'input a 10k-deep array', body: patchRaw({ input: RAW_MARK }, DEEP_ARRAY), outcome: tooDeep },
    { name: 'a very long input', body: patch({ input: LONG_TEXT }), outcome: 'ok' },
    { name: 'lone surrogates in input', body: patch({ input: [LONE_SURROGATES] }), outcome: 'ok' },
    { name: 'nulls in every optional field', body: patch({ dimensions: null, encoding_format: null, user: null }), outcome: 'ok' },
  ];
}
