import type { ChatRequest, Message, Reasoning, ReasoningEffort, ResponseFormat, TextPart, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import { effortForBudget } from '../../ir/reasoning.js';
import { isRecord } from '../../json/record.js';
import { decodeContent, type DecodeContext } from './content.js';
import type { HeaderReader } from '../../http/header-fields.js';
import {
  invalid,
  isSet,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireArray,
  requireRecord,
  requireString,
} from './validate.js';

/**
 * Top-level fields this decoder reads. Anything else the client set goes to
 * `ChatRequest.unsupported` under its own name (service_tier, container, mcp_servers,
 * context_management, inference_geo, speed, diagnostics…), so it is reported, not lost.
 * `cache_control` (automatic prompt caching) is read and ignored: see content.ts.
 */
const READ_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'metadata',
  'thinking',
  'output_config',
  'output_format',
  'cache_control',
]);

/**
 * Reads a Messages API body (`POST /v1/messages`, or `/v1/messages/count_tokens`, which has
 * no `max_tokens`) into the IR. Throws GatewayError('invalid_request') for what Anthropic
 * would refuse, and for Anthropic-only features the serving model cannot do (server tools).
 */
/**
 * Betas that change nothing another provider could honour or get wrong: caching and its TTL,
 * how tool input is chunked or encoded, thinking between tool calls (which the IR keeps in
 * order anyway), larger output and context limits (the provider applies its own), the
 * features this decoder reads itself (structured outputs, effort), and Claude Code's and
 * OAuth's own markers. Any other beta asks for behaviour only Anthropic has: reported.
 */
const HARMLESS_BETAS = [
  'prompt-caching-',
  'extended-cache-ttl-',
  'token-efficient-tools-',
  'fine-grained-tool-streaming-',
  'interleaved-thinking-',
  'output-128k-',
  'context-1m-',
  'structured-outputs-',
  'effort-',
  'model-context-window-exceeded-',
  'claude-code-',
  'oauth-',
];

function decodeBetas(header: string | null | undefined, unsupported: Set<string>): void {
  for (const beta of (header ?? '').split(',')) {
    const name = beta.trim();
    if (name && !HARMLESS_BETAS.some((prefix) => name.startsWith(prefix))) unsupported.add(`anthropic-beta:${name}`);
  }
}

export function decodeMessagesRequest(body: Record<string, unknown>, headers?: HeaderReader): ChatRequest {
  const unsupported = new Set<string>();
  decodeBetas(headers?.get('anthropic-beta'), unsupported);
  const context: DecodeContext = { toolNames: new Map(), unsupported };
  const { system, messages } = decodeMessages(body.messages, decodeSystem(body.system), context);

  const request: ChatRequest = {
    model: requireString(body.model, 'model'),
    system,
    messages,
    tools: decodeTools(body.tools, unsupported),
    stop: decodeStopSequences(body.stop_sequences),
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    unsupported: [],
  };
  const maxTokens = optionalNumber(body.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(body.temperature, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p');
  if (topP !== undefined) request.topP = topP;
  const topK = optionalNumber(body.top_k, 'top_k');
  if (topK !== undefined) request.topK = topK;

  decodeToolChoice(body.tool_choice, request);
  decodeMetadata(body.metadata, request, unsupported);

  const outputConfig = isSet(body.output_config) ? requireRecord(body.output_config, 'output_config') : {};
  const reasoning = decodeReasoning(body.thinking, outputConfig.effort, unsupported);
  if (reasoning) request.reasoning = reasoning;
  // `output_format` is the structured-outputs beta's spelling of output_config.format.
  const format = isSet(outputConfig.format) ? decodeOutputFormat(outputConfig.format, 'output_config.format') : decodeOutputFormat(body.output_format, 'output_format');
  if (format) request.responseFormat = format;
  for (const key of Object.keys(outputConfig)) {
    if (key !== 'effort' && key !== 'format' && isSet(outputConfig[key])) unsupported.add(`output_config.${key}`);
  }

  for (const key of Object.keys(body)) {
    if (!READ_FIELDS.has(key) && isSet(body[key])) unsupported.add(key);
  }
  request.unsupported = [...unsupported];
  return request;
}

function decodeSystem(value: unknown): TextPart[] {
  if (!isSet(value)) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  return requireArray(value, 'system').map((item, index) => {
    const block = requireRecord(item, `system.${index}`);
    if (block.type !== 'text') throw invalid(`system.${index}.type`, 'system blocks must be of type text');
    return { type: 'text', text: requireString(block.text, `system.${index}.text`) };
  });
}

/**
 * `role: "system"` turns (newer API versions allow them in `messages`) join the system
 * prompt: the IR keeps system text apart from the turns. One that follows a conversation
 * turn loses its position, which is reported.
 */
function decodeMessages(value: unknown, system: TextPart[], context: DecodeContext): { system: TextPart[]; messages: Message[] } {
  const messages: Message[] = [];
  requireArray(value, 'messages').forEach((item, index) => {
    const param = `messages.${index}`;
    const message = requireRecord(item, param);
    const role = requireString(message.role, `${param}.role`);
    if (role === 'system') {
      if (messages.length > 0) context.unsupported.add('messages.role:system');
      for (const part of decodeContent(message.content, `${param}.content`, context)) {
        if (part.type !== 'text') throw invalid(`${param}.content`, 'system messages may only hold text blocks');
        system.push(part);
      }
      return;
    }
    if (role !== 'user' && role !== 'assistant') throw invalid(`${param}.role`, "Input should be 'user' or 'assistant'");
    messages.push({ role, content: decodeContent(message.content, `${param}.content`, context) });
  });
  return { system, messages };
}

function decodeStopSequences(value: unknown): string[] {
  if (!isSet(value)) return [];
  return requireArray(value, 'stop_sequences').map((item, index) => requireString(item, `stop_sequences.${index}`));
}

/**
 * Only custom tools (a name and an input schema) can be served by another provider.
 * Anthropic's server tools (web search, code execution…) and Anthropic-defined client tools
 * (bash, text editor, computer, memory) have no definition to send elsewhere; dropping one
 * would silently change what the model can do, so the request is refused instead.
 */
function decodeTools(value: unknown, unsupported: Set<string>): ToolDefinition[] {
  if (!isSet(value)) return [];
  return requireArray(value, 'tools').map((item, index) => {
    const param = `tools.${index}`;
    const tool = requireRecord(item, param);
    if (isSet(tool.type) && tool.type !== 'custom') {
      const type = typeof tool.type === 'string' ? tool.type : JSON.stringify(tool.type);
      throw invalid(`${param}.type`, `tool type '${type}' is an Anthropic-defined tool that this model cannot run; declare it as a custom tool with an input_schema`);
    }
    const definition: ToolDefinition = {
      name: requireString(tool.name, `${param}.name`),
      parameters: requireRecord(tool.input_schema, `${param}.input_schema`),
    };
    const description = optionalString(tool.description, `${param}.description`);
    if (description !== undefined) definition.description = description;
    const strict = optionalBoolean(tool.strict, `${param}.strict`);
    if (strict !== undefined) definition.strict = strict;
    // Examples shape the prompt; deferred loading and non-direct callers belong to Anthropic's
    // tool search and code execution. `eager_input_streaming` only changes chunking: ignored.
    if (Array.isArray(tool.input_examples) && tool.input_examples.length > 0) unsupported.add('tools.input_examples');
    if (tool.defer_loading === true) unsupported.add('tools.defer_loading');
    if (Array.isArray(tool.allowed_callers) && !tool.allowed_callers.includes('direct')) unsupported.add('tools.allowed_callers');
    return definition;
  });
}

function decodeToolChoice(value: unknown, request: ChatRequest): void {
  if (!isSet(value)) return;
  const choice = requireRecord(value, 'tool_choice');
  const type = requireString(choice.type, 'tool_choice.type');
  const mapped: ToolChoice = (() => {
    switch (type) {
      case 'auto':
        return { type: 'auto' };
      case 'any':
        return { type: 'required' };
      case 'none':
        return { type: 'none' };
      case 'tool':
        return { type: 'tool', name: requireString(choice.name, 'tool_choice.name') };
      default:
        throw invalid('tool_choice.type', `unknown tool_choice type '${type}'`);
    }
  })();
  request.toolChoice = mapped;
  if (optionalBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use') === true) request.parallelToolCalls = false;
}

function decodeMetadata(value: unknown, request: ChatRequest, unsupported: Set<string>): void {
  if (!isSet(value)) return;
  const metadata = requireRecord(value, 'metadata');
  const user = optionalString(metadata.user_id, 'metadata.user_id');
  if (user !== undefined) request.user = user;
  for (const key of Object.keys(metadata)) {
    if (key !== 'user_id' && isSet(metadata[key])) unsupported.add(`metadata.${key}`);
  }
}

const EFFORTS: Record<string, ReasoningEffort> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

/**
 * `thinking` and `output_config.effort` into the IR's reasoning. A budget also gets the
 * effort it corresponds to (reasoning.ts) for providers that only take an effort; an
 * explicit effort wins over the derived one. `xhigh` and `max` exceed the IR's scale: they
 * become `high` and are reported.
 */
function decodeReasoning(thinkingValue: unknown, effortValue: unknown, unsupported: Set<string>): Reasoning | undefined {
  let effort: ReasoningEffort | undefined;
  if (isSet(effortValue)) {
    const name = requireString(effortValue, 'output_config.effort');
    effort = Object.hasOwn(EFFORTS, name) ? EFFORTS[name] : undefined;
    if (!effort) throw invalid('output_config.effort', `unknown effort '${name}'`);
    if (name === 'xhigh' || name === 'max') unsupported.add('output_config.effort');
  }
  if (!isSet(thinkingValue)) return effort ? { enabled: true, effort } : undefined;

  const thinking = requireRecord(thinkingValue, 'thinking');
  const type = requireString(thinking.type, 'thinking.type');
  // With display "omitted" Anthropic returns an empty thinking block; other providers cannot.
  if (thinking.display === 'omitted') unsupported.add('thinking.display');
  switch (type) {
    case 'enabled': {
      const budgetTokens = optionalNumber(thinking.budget_tokens, 'thinking.budget_tokens');
      if (budgetTokens === undefined) throw invalid('thinking.budget_tokens', 'Field required');
      return { enabled: true, budgetTokens, effort: effort ?? effortForBudget(budgetTokens) };
    }
    case 'disabled':
      return effort ? { enabled: false, effort } : { enabled: false };
    case 'adaptive':
      return effort ? { enabled: true, effort } : { enabled: true };
    case 'between_tools':
      unsupported.add('thinking.type:between_tools');
      return effort ? { enabled: true, effort } : { enabled: true };
    default:
      throw invalid('thinking.type', `unknown thinking type '${type}'`);
  }
}

/**
 * Anthropic's structured output is a bare JSON schema, always enforced. OpenAI-style
 * providers want a name: `output` stands in for the one Anthropic never asks for.
 */
function decodeOutputFormat(value: unknown, param: string): ResponseFormat | undefined {
  if (!isSet(value)) return undefined;
  const format = requireRecord(value, param);
  if (format.type !== 'json_schema') throw invalid(`${param}.type`, "Input should be 'json_schema'");
  const schema = format.schema;
  if (!isRecord(schema)) throw invalid(`${param}.schema`, 'Input should be an object');
  return { type: 'json_schema', name: 'output', schema, strict: true };
}
