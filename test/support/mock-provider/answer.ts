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
  /** Gemini `usageMetadata.cachedContentTokenCount` (a part of `promptTokenCount`). */
  gemini: 20,
} as const;

/**
 * Cohere bills only the text it was sent, but counts its prompt template too: `usage.tokens.input_tokens`
 * is `usage.billed_units.input_tokens` plus this many tokens (as the documented examples show).
 */
export const MOCK_COHERE_TEMPLATE_TOKENS = 10;

/** Text in the last user message that makes the mock call a tool (when the request has tools). */
export const TOOL_CALL_TRIGGER = 'call tool';

/** The mock's tokenizer: one token per 4 characters, rounded up. */
export function mockTokenCount(text: string): number {
  return Math.ceil(text.length / 4);
}

export type MockAnswer =
  | {
      kind: 'text';
      text: string;
      /** Anthropic, Gemini and Cohere, when the request asks for thinking. */
      thinking?: string;
      /** Gemini and Cohere only: the text was cut at the request's output-token limit. */
      truncated?: boolean;
    }
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

/** A field of a Gemini (protobuf JSON) object, which the API accepts in lowerCamel or snake_case. */
function protoField(object: Json, camelName: string): unknown {
  return object[camelName] ?? object[camelName.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)];
}

/**
 * Text of a Gemini Content: its text parts, and each functionResponse part as the JSON of its
 * `response`; thought parts sent back do not count (the API drops them from the context).
 */
function geminiContentText(content: unknown): string {
  if (!isRecord(content) || !Array.isArray(content.parts)) return '';
  const texts: string[] = [];
  for (const part of content.parts) {
    if (!isRecord(part) || part.thought === true) continue;
    const functionResponse = protoField(part, 'functionResponse');
    if (typeof part.text === 'string') texts.push(part.text);
    else if (isRecord(functionResponse)) texts.push(JSON.stringify(functionResponse.response ?? {}));
  }
  return texts.join('\n');
}

/** Text of a Cohere v2 message content: a string, or its text parts and the `data` of document parts (JSON unless a string). */
function cohereContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'document' && isRecord(part.document)) {
      const data = part.document.data;
      texts.push(typeof data === 'string' ? data : JSON.stringify(data ?? {}));
    }
  }
  return texts.join('\n');
}

/** Role and text of every turn: OpenAI/Anthropic/Cohere `messages`, Gemini `contents` (role defaults to user). */
function turnsOf(api: MockApi, body: unknown): Array<{ role: unknown; text: string }> {
  if (api === 'gemini') {
    if (!isRecord(body) || !Array.isArray(body.contents)) return [];
    return body.contents.filter(isRecord).map((content) => ({ role: content.role ?? 'user', text: geminiContentText(content) }));
  }
  const textOf = api === 'cohere' ? cohereContentText : contentText;
  return messagesOf(body).map((message) => ({ role: message.role, text: textOf(message.content) }));
}

/**
 * The text the mock bills as prompt: the system text first (Anthropic `system`, Gemini
 * `systemInstruction`; OpenAI and Cohere have it among the messages), then the text of every
 * message (Gemini: content) in order, joined with `\n`. Only text counts (images, tool
 * definitions and tool-call arguments do not); tool results do (Gemini: the JSON of
 * functionResponse.response; Cohere: document data as JSON).
 */
export function mockPromptText(api: MockApi, body: unknown): string {
  const texts = turnsOf(api, body).map((turn) => turn.text);
  if (api === 'anthropic' && isRecord(body) && body.system !== undefined) texts.unshift(contentText(body.system));
  const systemInstruction = api === 'gemini' && isRecord(body) ? protoField(body, 'systemInstruction') : undefined;
  if (systemInstruction !== undefined) texts.unshift(geminiContentText(systemInstruction));
  return texts.join('\n');
}

/** Text of the last message (Gemini: content) when it is a user message, else ''. `api` defaults to 'openai' (Anthropic reads the same). */
export function lastUserText(body: unknown, api: MockApi = 'openai'): string {
  const last = turnsOf(api, body).at(-1);
  return last?.role === 'user' ? last.text : '';
}

interface ToolDefinition {
  name: string;
  schema: unknown;
}

/** Gemini tools: `functionDeclarations` of every Tool, in order, with `parameters` or `parametersJsonSchema`. */
function geminiTools(tools: unknown[]): ToolDefinition[] {
  const declarations = tools.filter(isRecord).flatMap((tool) => {
    const list = protoField(tool, 'functionDeclarations');
    return Array.isArray(list) ? list.filter(isRecord) : [];
  });
  return declarations
    .filter((declaration) => typeof declaration.name === 'string')
    .map((declaration) => ({ name: declaration.name as string, schema: declaration.parameters ?? protoField(declaration, 'parametersJsonSchema') }));
}

function toolsOf(api: MockApi, body: unknown): ToolDefinition[] {
  if (!isRecord(body) || !Array.isArray(body.tools)) return [];
  if (api === 'gemini') return geminiTools(body.tools);
  const tools: ToolDefinition[] = [];
  for (const tool of body.tools) {
    if (!isRecord(tool)) continue;
    // OpenAI and Cohere v2: {type:'function', function:{name, parameters}}; Anthropic: {name, input_schema}.
    if ((api === 'openai' || api === 'cohere') && isRecord(tool.function) && typeof tool.function.name === 'string') {
      tools.push({ name: tool.function.name, schema: tool.function.parameters });
    } else if (api === 'anthropic' && typeof tool.name === 'string') {
      tools.push({ name: tool.name, schema: tool.input_schema });
    }
  }
  return tools;
}

/**
 * A value for each declared property, by type: strings get the user's text, so it shows what reached the mock.
 * Gemini Schema types are upper-case enum names (STRING, INTEGER...), so case is ignored there.
 */
function argumentsFor(api: MockApi, schema: unknown, userText: string): Json {
  const args: Json = {};
  if (!isRecord(schema) || !isRecord(schema.properties)) return args;
  for (const [name, property] of Object.entries(schema.properties)) {
    const declared = isRecord(property) ? property.type : undefined;
    const type = api === 'gemini' && typeof declared === 'string' ? declared.toLowerCase() : declared;
    args[name] = type === 'string' ? userText : type === 'number' || type === 'integer' ? 42 : type === 'boolean' ? true : null;
  }
  return args;
}

function thinkingEnabled(api: MockApi, body: unknown): boolean {
  if (!isRecord(body)) return false;
  if (api === 'anthropic') return isRecord(body.thinking) && (body.thinking.type === 'enabled' || body.thinking.type === 'adaptive');
  if (api === 'cohere') return isRecord(body.thinking) && body.thinking.type === 'enabled';
  if (api === 'gemini') {
    const config = protoField(body, 'generationConfig');
    const thinkingConfig = isRecord(config) ? protoField(config, 'thinkingConfig') : undefined;
    return isRecord(thinkingConfig) && protoField(thinkingConfig, 'includeThoughts') === true;
  }
  return false;
}

/** The output-token limit the mock honours: Gemini generationConfig.maxOutputTokens, Cohere max_tokens (positive integers only). */
function outputLimit(api: MockApi, body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const config = api === 'gemini' ? protoField(body, 'generationConfig') : undefined;
  const limit = api === 'cohere' ? body.max_tokens : isRecord(config) ? protoField(config, 'maxOutputTokens') : undefined;
  return typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 ? limit : undefined;
}

/**
 * What the mock answers:
 * - a call of the first tool, when the request has `tools` and the last message is a user
 *   message containing "call tool" (case-insensitive); its arguments give each property of
 *   the tool's schema a value by type (string: the user's text, number/integer: 42,
 *   boolean: true, anything else: null);
 * - otherwise the text `echo: <text of the last user message>`, plus a thinking text
 *   `thinking about: <same text>` when the request asks for thinking (Anthropic `thinking`
 *   enabled/adaptive, Gemini generationConfig.thinkingConfig.includeThoughts, Cohere
 *   `thinking.type: 'enabled'`).
 * Gemini and Cohere only: when the echo has more tokens than the output limit
 * (generationConfig.maxOutputTokens, max_tokens), it is cut to its first `limit * 4`
 * characters (`truncated: true`, finish reason MAX_TOKENS); thinking and tool calls are never cut.
 */
export function mockAnswerFor(api: MockApi, body: unknown): MockAnswer {
  const userText = lastUserText(body, api);
  const tool = toolsOf(api, body)[0];
  if (tool && userText.toLowerCase().includes(TOOL_CALL_TRIGGER)) {
    return { kind: 'tool', toolName: tool.name, argumentsJson: JSON.stringify(argumentsFor(api, tool.schema, userText)) };
  }
  const answer: MockAnswer = { kind: 'text', text: `echo: ${userText}` };
  if (api !== 'openai' && thinkingEnabled(api, body)) answer.thinking = `thinking about: ${userText}`;
  const limit = api === 'gemini' || api === 'cohere' ? outputLimit(api, body) : undefined;
  if (limit !== undefined && mockTokenCount(answer.text) > limit) {
    answer.text = answer.text.slice(0, limit * 4);
    answer.truncated = true;
  }
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
 * The `usageMetadata` the mock sends for a Gemini answer (non-streamed, and on the last stream
 * chunk; earlier chunks carry the counts so far): promptTokenCount = mockTokenCount(prompt text)
 * + MOCK_CACHED_TOKENS.gemini (a cached prefix, part of the prompt as Gemini counts it),
 * cachedContentTokenCount = MOCK_CACHED_TOKENS.gemini, candidatesTokenCount = output tokens of the
 * answer without its thinking, thoughtsTokenCount = mockTokenCount(thinking) (absent without
 * thinking: the API omits zero counts), totalTokenCount = the sum of the three.
 */
export function mockGeminiUsage(body: unknown) {
  const answer = mockAnswerFor('gemini', body);
  const promptTokenCount = mockTokenCount(mockPromptText('gemini', body)) + MOCK_CACHED_TOKENS.gemini;
  const thoughtsTokenCount = answer.kind === 'text' ? mockTokenCount(answer.thinking ?? '') : 0;
  const candidatesTokenCount = mockOutputTokens(answer) - thoughtsTokenCount;
  return {
    promptTokenCount,
    candidatesTokenCount,
    totalTokenCount: promptTokenCount + candidatesTokenCount + thoughtsTokenCount,
    cachedContentTokenCount: MOCK_CACHED_TOKENS.gemini,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokenCount }],
    cacheTokensDetails: [{ modality: 'TEXT', tokenCount: MOCK_CACHED_TOKENS.gemini }],
    ...(thoughtsTokenCount > 0 ? { thoughtsTokenCount } : {}),
  };
}

/** The `tool_plan` the mock's Cohere model writes before a tool call. */
export function mockCohereToolPlan(toolName: string): string {
  return `I will call ${toolName}.`;
}

/**
 * The `usage` the mock sends for a Cohere v2 chat answer (non-streamed, and on message-end):
 * billed_units.input_tokens = mockTokenCount(prompt text), billed_units.output_tokens =
 * mockOutputTokens(answer) (thinking included) + mockTokenCount(mockCohereToolPlan(name)) for a
 * tool call, tokens.input_tokens = billed input + MOCK_COHERE_TEMPLATE_TOKENS, tokens.output_tokens
 * = billed output.
 */
export function mockCohereUsage(body: unknown) {
  const answer = mockAnswerFor('cohere', body);
  const inputTokens = mockTokenCount(mockPromptText('cohere', body));
  const outputTokens = mockOutputTokens(answer) + (answer.kind === 'tool' ? mockTokenCount(mockCohereToolPlan(answer.toolName)) : 0);
  return {
    billed_units: { input_tokens: inputTokens, output_tokens: outputTokens },
    tokens: { input_tokens: inputTokens + MOCK_COHERE_TEMPLATE_TOKENS, output_tokens: outputTokens },
  };
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
