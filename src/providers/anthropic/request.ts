import { GatewayError } from '../../errors.js';
import type { ChatRequest, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import type { EncodedRequest, UpstreamRequest } from '../../ir/codec.js';
import { budgetForEffort, effortForBudget } from '../../ir/reasoning.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { setMember } from '../../json/members.js';
import { baseUpstreamHeaders } from '../shared.js';
import type { ForwardInput, Operation } from '../types.js';
import { encodeMessages, encodeSystem, type AnthropicMessage } from './request-content.js';
import { toAnthropicSchema } from './schema.js';
import type { HeaderReader } from '../../http/header-fields.js';

/** The API version sent when the client names none (the SDKs always do). */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/**
 * `max_tokens` is required by the Messages API and other formats may leave it out. 4096 is
 * the largest output every Claude model accepts; with thinking on it comes on top of the
 * thinking budget, since thinking tokens count against `max_tokens`.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** The smallest `thinking.budget_tokens` the API accepts. */
export const MIN_THINKING_BUDGET = 1024;

const MESSAGES_PATH = '/v1/messages';
/** Anthropic has no embeddings API: the passthrough adapter lists only these operations. */
const PATHS: Partial<Record<Operation, string>> = { chat: MESSAGES_PATH, count_tokens: '/v1/messages/count_tokens' };

/**
 * Builds the call to Anthropic's Messages API: the client's body byte for byte with
 * `model` swapped, and the client's `anthropic-version` and `anthropic-beta` headers
 * kept, since betas change what the body may contain.
 */
export function buildAnthropicRequest(input: ForwardInput): UpstreamRequest {
  const { model, clientHeaders } = input;
  const headers = baseUpstreamHeaders(model, clientHeaders);
  headers.set('anthropic-version', clientHeaders.get('anthropic-version') ?? DEFAULT_ANTHROPIC_VERSION);
  const beta = clientHeaders.get('anthropic-beta');
  if (beta) headers.set('anthropic-beta', beta);
  if (model.apiKey) headers.set('x-api-key', model.apiKey);
  const path = PATHS[input.operation];
  if (path === undefined) throw new GatewayError('not_found', `Anthropic has no ${input.operation} endpoint`);
  return {
    url: `${model.baseUrl}${path}${input.search}`,
    headers,
    body: setMember(input.body, 'model', JSON.stringify(model.upstreamModel)),
  };
}

/**
 * IR → Messages API request, for clients of other formats served by a Claude model. It
 * speaks API version 2023-06-01, which still takes `temperature`, `top_p` and `top_k`
 * (2026-10-21 removed them), and needs no beta header: structured outputs
 * (`output_config.format`) and file sources are generally available.
 */
export function encodeAnthropicRequest(request: ChatRequest, model: UpstreamTarget, clientHeaders: HeaderReader): EncodedRequest {
  const dropped = new Set<string>();
  const body: Record<string, unknown> = { model: model.upstreamModel };

  const system = encodeSystem(request.system);
  if (system.length > 0) body.system = system;
  const messages = encodeMessages(request.messages, dropped);
  body.messages = messages;

  const thinking = planThinking(request, messages, dropped, model.config.capabilities?.adaptiveThinking === true);
  body.max_tokens = thinking.maxTokens;
  if (thinking.config) body.thinking = thinking.config;
  const outputConfig: Record<string, unknown> = thinking.effort ? { effort: thinking.effort } : {};
  const thinkingOn = thinking.config?.type === 'enabled' || thinking.config?.type === 'adaptive';

  // Thinking is incompatible with temperature and top_k changes, and allows top_p only in [0.95, 1].
  if (request.temperature !== undefined) {
    if (thinkingOn && request.temperature !== 1) dropped.add('temperature');
    else body.temperature = request.temperature;
  }
  if (request.topP !== undefined) {
    if (thinkingOn && (request.topP < 0.95 || request.topP > 1)) dropped.add('topP');
    else body.top_p = request.topP;
  }
  if (request.topK !== undefined) {
    if (thinkingOn) dropped.add('topK');
    else body.top_k = request.topK;
  }
  // The API refuses empty and whitespace-only stop sequences (OpenAI clients send "\n").
  const stop = request.stop.filter((sequence) => sequence.trim() !== '');
  if (stop.length < request.stop.length) dropped.add('stop');
  if (stop.length > 0) body.stop_sequences = stop;
  if (request.seed !== undefined) dropped.add('seed');
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.metadata && Object.keys(request.metadata).length > 0) dropped.add('metadata');

  if (request.tools.length > 0) body.tools = request.tools.map((tool) => encodeTool(tool, dropped));
  const toolChoice = encodeToolChoice(request, dropped);
  if (toolChoice) body.tool_choice = toolChoice;

  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    // Structured outputs take a subset of JSON Schema; see schema.ts for what is reported.
    const { schema, narrowed } = toAnthropicSchema(format.schema);
    outputConfig.format = { type: 'json_schema', schema };
    for (const keyword of narrowed) dropped.add(`responseFormat.schema:${keyword}`);
    if (format.description) dropped.add('responseFormat.description');
  } else if (format?.type === 'json_object') {
    // Structured outputs need a schema; "any JSON object" has no exact equivalent.
    dropped.add('responseFormat');
  }
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;

  if (request.stream) body.stream = true;

  const headers = baseUpstreamHeaders(model, clientHeaders);
  headers.set('accept', request.stream ? 'text/event-stream' : 'application/json');
  // A version pinned in the model's own headers wins: the operator chose it for that endpoint.
  if (!headers.has('anthropic-version')) headers.set('anthropic-version', DEFAULT_ANTHROPIC_VERSION);
  if (model.apiKey) headers.set('x-api-key', model.apiKey);

  return {
    request: { url: `${model.baseUrl}${MESSAGES_PATH}`, headers, body: JSON.stringify(body) },
    dropped: [...dropped],
  };
}

interface ThinkingPlan {
  maxTokens: number;
  config?: { type: 'enabled'; budget_tokens: number } | { type: 'adaptive' } | { type: 'disabled' };
  /** `output_config.effort`, for models that think adaptively. */
  effort?: 'low' | 'medium' | 'high';
}

/**
 * Reasoning → `thinking` and `max_tokens`, which are tied: the budget must be at least
 * 1024 and below `max_tokens`. A client's output cap covers thinking and answer together
 * (as OpenAI's `max_completion_tokens` covers reasoning), so the budget shrinks under it;
 * below the minimum the model cannot think, and reasoning is reported dropped. Thinking
 * cannot be combined with a forced tool call either (the forced call is kept), nor be
 * turned on in the middle of a tool-use loop whose assistant turn did not think: a
 * client of another format never sends Anthropic's thinking back.
 */
function planThinking(request: ChatRequest, messages: AnthropicMessage[], dropped: Set<string>, adaptive: boolean): ThinkingPlan {
  const { reasoning } = request;
  if (!reasoning) return { maxTokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS };
  if (!reasoning.enabled) return { maxTokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS, config: { type: 'disabled' } };
  if (forcesToolCall(request) || continuesUnthoughtToolTurn(messages)) {
    dropped.add('reasoning');
    return { maxTokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS };
  }
  if (adaptive) {
    // The model decides how much to think; the effort (given, or read from a budget) steers it.
    const effort = reasoning.effort ?? (reasoning.budgetTokens !== undefined ? effortForBudget(reasoning.budgetTokens) : 'medium');
    const anthropicEffort = effort === 'minimal' ? 'low' : effort;
    return { maxTokens: request.maxOutputTokens ?? budgetForEffort(effort) + DEFAULT_MAX_TOKENS, config: { type: 'adaptive' }, effort: anthropicEffort };
  }
  let budget = Math.max(MIN_THINKING_BUDGET, Math.floor(reasoning.budgetTokens ?? budgetForEffort(reasoning.effort ?? 'medium')));
  const maxTokens = request.maxOutputTokens ?? budget + DEFAULT_MAX_TOKENS;
  if (budget >= maxTokens) budget = maxTokens - 1;
  if (budget < MIN_THINKING_BUDGET) {
    dropped.add('reasoning');
    return { maxTokens };
  }
  return { maxTokens, config: { type: 'enabled', budget_tokens: budget } };
}

/**
 * A tool-use loop is one assistant turn, and with thinking on that turn must open with
 * its thinking block: true when the request answers tool calls made without one.
 */
function continuesUnthoughtToolTurn(messages: AnthropicMessage[]): boolean {
  const last = messages.at(-1);
  const previous = messages.at(-2);
  if (last?.role !== 'user' || last.content[0]?.type !== 'tool_result' || previous?.role !== 'assistant') return false;
  const opening = previous.content[0]?.type;
  return opening !== 'thinking' && opening !== 'redacted_thinking';
}

function forcesToolCall(request: ChatRequest): boolean {
  const type = request.toolChoice?.type;
  return request.tools.length > 0 && (type === 'required' || type === 'tool');
}

function encodeTool(tool: ToolDefinition, dropped: Set<string>): Record<string, unknown> {
  // The API requires an object schema; a tool declared without parameters takes none.
  let schema = tool.parameters.type === undefined ? { type: 'object', ...tool.parameters } : tool.parameters;
  // Any JSON Schema is accepted in `input_schema`, except that strict tools are compiled to a
  // grammar and have structured outputs' limits.
  if (tool.strict === true) {
    const strict = toAnthropicSchema(schema);
    schema = strict.schema;
    for (const keyword of strict.narrowed) dropped.add(`tools.parameters:${keyword}`);
  }
  return {
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    input_schema: schema,
    ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
  };
}

/** `parallelToolCalls: false` rides on the tool choice as `disable_parallel_tool_use`. */
function encodeToolChoice(request: ChatRequest, dropped: Set<string>): Record<string, unknown> | undefined {
  const choice: ToolChoice | undefined = request.toolChoice;
  if (request.tools.length === 0) {
    // The API refuses a tool choice without tools; forcing a call to nothing cannot be honoured.
    if (choice?.type === 'required' || choice?.type === 'tool') dropped.add('toolChoice');
    return undefined;
  }
  const serial = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return request.parallelToolCalls === false ? { type: 'auto', ...serial } : undefined;
    case 'auto':
      return { type: 'auto', ...serial };
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any', ...serial };
    case 'tool':
      return { type: 'tool', name: choice.name, ...serial };
  }
}
