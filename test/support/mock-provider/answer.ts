// The deterministic "model" behind the mock: what it answers and how many tokens it bills.
// Everything here is a pure function of the request body, and is exported so that tests can
// compute the exact text and usage numbers they expect to see come back through the gateway.

import type { MockApi } from './types.js';

/**
 * Cached-token counts the mock reports on every answer. Fixed and nonzero so that cost
 * computations that treat cached tokens differently can be tested; distinct from each other
 * so that a test notices when two of them are swapped.
 */
export const MOCK_CACHED_TOKENS = {
  /** OpenAI `usage.prompt_tokens_details.cached_tokens` (a part of `prompt_tokens`). */
  openai: 16,
  /** Anthropic `usage.cache_read_input_tokens` (on top of `input_tokens`). */
  anthropicRead: 24,
  /** Anthropic `usage.cache_creation_input_tokens` (on top of `input_tokens`), all 5-minute. */
  anthropicCreation: 12,
} as const;

/** Text in the last user message that makes the mock call a tool (when the request has tools). */
export const TOOL_CALL_TRIGGER = 'call tool';

/** The mock's tokenizer: one token per 4 characters, rounded up. */
export function mockTokenCount(text: string): number {
  return Math.ceil(text.length / 4);
}

export type MockAnswer =
  | { kind: 'text'; text: string; /** Anthropic only, when the request enables thinking. */ thinking?: string }
  | { kind: 'tool'; toolName: string; argumentsJson: string };

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a message `content` (or Anthropic `system`): a string, or the `text` of its parts; tool results included. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'tool_result') texts.push(contentText(part.content));
  }
  return texts.join('\n');
}

function messagesOf(body: unknown): Json[] {
  if (!isRecord(body) || !Array.isArray(body.messages)) return [];
  return body.messages.filter(isRecord);
}

/**
 * The text the mock bills as prompt: for Anthropic the `system` text first, then the text of
 * every message in order, joined with `\n`. Only text counts (images, tool definitions and
 * tool-call arguments do not).
 */
export function mockPromptText(api: MockApi, body: unknown): string {
  const texts = messagesOf(body).map((message) => contentText(message.content));
  if (api === 'anthropic' && isRecord(body) && body.system !== undefined) texts.unshift(contentText(body.system));
  return texts.join('\n');
}

/** Text of the last message when it is a user message, else ''. */
export function lastUserText(body: unknown): string {
  const last = messagesOf(body).at(-1);
  return last?.role === 'user' ? contentText(last.content) : '';
}

interface ToolDefinition {
  name: string;
  schema: unknown;
}

function toolsOf(api: MockApi, body: unknown): ToolDefinition[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) return [];
  const tools: ToolDefinition[] = [];
  for (const tool of body.tools) {
    if (!isRecord(tool)) continue;
    // OpenAI: {type:'function', function:{name, parameters}}; Anthropic: {name, input_schema}.
    if (api === 'openai' && isRecord(tool.function) && typeof tool.function.name === 'string') {
      tools.push({ name: tool.function.name, schema: tool.function.parameters });
    } else if (api === 'anthropic' && typeof tool.name === 'string') {
      tools.push({ name: tool.name, schema: tool.input_schema });
    }
  }
  return tools;
}

/** A value for each declared property, by type: strings get the user's text, so it shows what reached the mock. */
function argumentsFor(schema: unknown, userText: string): Json {
  const args: Json = {};
  if (!isRecord(schema) || !isRecord(schema.properties)) return args;
  for (const [name, property] of Object.entries(schema.properties)) {
    const type = isRecord(property) ? property.type : undefined;
    args[name] = type === 'string' ? userText : type === 'number' || type === 'integer' ? 42 : type === 'boolean' ? true : null;
  }
  return args;
}

function thinkingEnabled(body: unknown): boolean {
  return isRecord(body) && isRecord(body.thinking) && (body.thinking.type === 'enabled' || body.thinking.type === 'adaptive');
}

/**
 * What the mock answers:
 * - a call of the first tool, when the request has `tools` and the last message is a user
 *   message containing "call tool" (case-insensitive); its arguments give each property of
 *   the tool's schema a value by type (string: the user's text, number/integer: 42,
 *   boolean: true, anything else: null);
 * - otherwise the text `echo: <text of the last user message>` (plus, for Anthropic requests
 *   with `thinking` enabled, a thinking block `thinking about: <same text>`).
 */
export function mockAnswerFor(api: MockApi, body: unknown): MockAnswer {
  const userText = lastUserText(body);
  const tool = toolsOf(api, body)[0];
  if (tool && userText.toLowerCase().includes(TOOL_CALL_TRIGGER)) {
    return { kind: 'tool', toolName: tool.name, argumentsJson: JSON.stringify(argumentsFor(tool.schema, userText)) };
  }
  const answer: MockAnswer = { kind: 'text', text: `echo: ${userText}` };
  if (api === 'anthropic' && thinkingEnabled(body)) answer.thinking = `thinking about: ${userText}`;
  return answer;
}

/** Output tokens of an answer: the tokens of its text, thinking text, or tool name + arguments JSON. */
export function mockOutputTokens(answer: MockAnswer): number {
  if (answer.kind === 'tool') return mockTokenCount(answer.toolName + answer.argumentsJson);
  return mockTokenCount(answer.text) + mockTokenCount(answer.thinking ?? '');
}

/**
 * The `usage` the mock sends for an OpenAI chat completion (non-streamed, or the final stream chunk):
 * prompt_tokens = mockTokenCount(prompt text) + MOCK_CACHED_TOKENS.openai (the mock pretends a
 * cached prefix came before the text), cached_tokens = MOCK_CACHED_TOKENS.openai,
 * completion_tokens = mockOutputTokens(answer).
 */
export function mockOpenAIUsage(body: unknown) {
  const promptTokens = mockTokenCount(mockPromptText('openai', body)) + MOCK_CACHED_TOKENS.openai;
  const completionTokens = mockOutputTokens(mockAnswerFor('openai', body));
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: MOCK_CACHED_TOKENS.openai, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * The token counts the mock sends for an Anthropic message (the `usage` of the non-streamed
 * Message; in a stream, message_start carries input and cache counts and message_delta the same
 * plus output_tokens): input_tokens = mockTokenCount(prompt text) (Anthropic's input_tokens exclude
 * cached tokens), cache_read_input_tokens = MOCK_CACHED_TOKENS.anthropicRead,
 * cache_creation_input_tokens = MOCK_CACHED_TOKENS.anthropicCreation, output_tokens = mockOutputTokens(answer).
 */
export function mockAnthropicUsage(body: unknown) {
  const answer = mockAnswerFor('anthropic', body);
  return {
    input_tokens: mockTokenCount(mockPromptText('anthropic', body)),
    output_tokens: mockOutputTokens(answer),
    cache_read_input_tokens: MOCK_CACHED_TOKENS.anthropicRead,
    cache_creation_input_tokens: MOCK_CACHED_TOKENS.anthropicCreation,
    thinking_tokens: answer.kind === 'text' && answer.thinking !== undefined ? mockTokenCount(answer.thinking) : 0,
  };
}

/** What POST /v1/messages/count_tokens answers: every prompt token, cached or not, as the real endpoint counts them. */
export function mockAnthropicTokenCount(body: unknown): number {
  const usage = mockAnthropicUsage(body);
  return usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
}

/**
 * How the mock cuts a text into stream deltas: into `pieces` slices of near-equal length
 * (capped at the text's length) when given, else one piece per word (each with its trailing spaces).
 */
export function splitForStreaming(text: string, pieces?: number): string[] {
  if (text === '') return [''];
  if (pieces === undefined) return text.match(/\s*\S+\s*/g) ?? [text];
  const count = Math.max(1, Math.min(Math.floor(pieces), text.length));
  const slices: string[] = [];
  for (let i = 0; i < count; i++) {
    slices.push(text.slice(Math.floor((i * text.length) / count), Math.floor(((i + 1) * text.length) / count)));
  }
  return slices;
}
