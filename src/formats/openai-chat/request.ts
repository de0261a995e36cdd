import type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import { isRecord } from '../../json/record.js';
import {
  invalid,
  oneOf,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalRecord,
  optionalString,
  readFunctionTool,
  readJsonSchemaFormat,
  readMetadata,
  readReasoningEffort,
  requiredRecord,
  requiredString,
} from '../openai-fields.js';
import { decodeMessages } from './messages.js';

/** Fields read here, or read by the stream encoder (`stream_options`). Anything else is reported. */
const HANDLED = new Set([
  'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'max_completion_tokens',
  'max_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed', 'user', 'safety_identifier', 'metadata', 'reasoning_effort',
  'stream', 'stream_options', 'functions', 'function_call',
]);

/**
 * Values that ask for nothing beyond the default, so a client that always sends them
 * (LangChain sends `n: 1` and zero penalties) gets no warning for them.
 */
const NO_OP_VALUES: Record<string, (value: unknown) => boolean> = {
  n: (value) => value === 1,
  presence_penalty: (value) => value === 0,
  frequency_penalty: (value) => value === 0,
  logprobs: (value) => value === false,
  top_logprobs: (value) => value === 0,
  store: (value) => value === false,
  service_tier: (value) => value === 'auto',
  modalities: (value) => Array.isArray(value) && value.length === 1 && value[0] === 'text',
  logit_bias: (value) => isRecord(value) && Object.keys(value).length === 0,
};

/** Reads a Chat Completions request (ChatCompletionCreateParams) into the IR. */
export function decodeChatCompletionsRequest(body: Record<string, unknown>): ChatRequest {
  const model = requiredString(body.model, 'model');
  if (model === '') throw invalid("'model' must not be empty", 'model');
  if (body.functions !== undefined && body.functions !== null) throw invalid(LEGACY, 'functions');
  if (body.function_call !== undefined && body.function_call !== null) throw invalid(LEGACY, 'function_call');

  const decoded = decodeMessages(body.messages);
  // decodeMessages' own list, added to here.
  const unsupported = decoded.unsupported;
  const request: ChatRequest = {
    model,
    system: decoded.system,
    messages: decoded.messages,
    tools: decodeTools(body.tools),
    stop: decodeStop(body.stop),
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    unsupported,
  };

  const toolChoice = decodeToolChoice(body.tool_choice, unsupported);
  if (toolChoice) request.toolChoice = toolChoice;
  const parallel = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  const responseFormat = decodeResponseFormat(body.response_format);
  if (responseFormat) request.responseFormat = responseFormat;

  // max_tokens is the deprecated spelling; when both come, the current one wins.
  const maxTokens =
    optionalInteger(body.max_completion_tokens, 'max_completion_tokens', 1) ?? optionalInteger(body.max_tokens, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  // Not OpenAI's, but vLLM's and OpenRouter's: Chat Completions clients of those send it.
  const topK = optionalInteger(body.top_k, 'top_k', 0);
  if (topK !== undefined) request.topK = topK;
  const seed = optionalInteger(body.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  // `safety_identifier` replaces the deprecated `user`; both name the end user.
  const safetyIdentifier = optionalString(body.safety_identifier, 'safety_identifier');
  const user = optionalString(body.user, 'user');
  if (safetyIdentifier !== undefined || user !== undefined) request.user = (safetyIdentifier ?? user) as string;
  if (safetyIdentifier !== undefined && user !== undefined && user !== safetyIdentifier) unsupported.push('user');
  const metadata = readMetadata(body.metadata);
  if (metadata) request.metadata = metadata;
  const reasoning = readReasoningEffort(body.reasoning_effort, 'reasoning_effort');
  if (reasoning) request.reasoning = reasoning;
  decodeStreamOptions(body.stream_options);

  for (const [key, value] of Object.entries(body)) {
    if (HANDLED.has(key) || value === null || value === undefined) continue;
    // Own keys only: a client's `__proto__` or `constructor` key must not reach Object.prototype.
    if (Object.hasOwn(NO_OP_VALUES, key) && NO_OP_VALUES[key]!(value)) continue;
    unsupported.push(key);
  }
  request.unsupported = unsupported.length > 1 ? [...new Set(unsupported)] : unsupported;
  return request;
}

const LEGACY = "the legacy 'functions' / 'function_call' parameters are not supported for this model: use 'tools' and 'tool_choice'";

function decodeTools(value: unknown): ToolDefinition[] {
  const tools = optionalArray(value, 'tools') ?? [];
  return tools.map((raw, i) => {
    const param = `tools[${i}]`;
    const tool = requiredRecord(raw, param);
    if (tool.type !== 'function') {
      throw invalid(`'${param}.type' must be 'function' (custom tools are not supported for this model)`, `${param}.type`);
    }
    return readFunctionTool(requiredRecord(tool.function, `${param}.function`), `${param}.function`);
  });
}

function decodeToolChoice(value: unknown, unsupported: string[]): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { type: oneOf(value, ['auto', 'none', 'required'], 'tool_choice') };
  const choice = requiredRecord(value, 'tool_choice');
  if (choice.type === 'function') {
    const fn = requiredRecord(choice.function, 'tool_choice.function');
    return { type: 'tool', name: requiredString(fn.name, 'tool_choice.function.name') };
  }
  if (choice.type === 'allowed_tools') {
    // The mode carries over; the restriction to a subset of the tools has no IR field.
    const allowed = requiredRecord(choice.allowed_tools, 'tool_choice.allowed_tools');
    unsupported.push('tool_choice.allowed_tools');
    return { type: oneOf(allowed.mode, ['auto', 'required'], 'tool_choice.allowed_tools.mode') };
  }
  throw invalid("'tool_choice.type' must be 'function' or 'allowed_tools' (custom tools are not supported for this model)", 'tool_choice.type');
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  const format = optionalRecord(value, 'response_format');
  if (!format) return undefined;
  const type = oneOf(format.type, ['text', 'json_object', 'json_schema'], 'response_format.type');
  if (type !== 'json_schema') return { type };
  const spec = requiredRecord(format.json_schema, 'response_format.json_schema');
  return readJsonSchemaFormat(spec, 'response_format.json_schema', 'optional');
}

function decodeStop(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((item, i) => requiredString(item, `stop[${i}]`));
  throw invalid("'stop' must be a string or an array of strings", 'stop');
}

function decodeStreamOptions(value: unknown): void {
  const options = optionalRecord(value, 'stream_options');
  if (!options) return;
  optionalBoolean(options.include_usage, 'stream_options.include_usage');
  optionalBoolean(options.include_obfuscation, 'stream_options.include_obfuscation');
}

/** Whether the client asked for the usage chunk at the end of its stream. */
export function wantsStreamUsage(body: Record<string, unknown>): boolean {
  return isRecord(body.stream_options) && body.stream_options.include_usage === true;
}
