import type { ChatRequest, Reasoning, ResponseFormat, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import {
  invalid,
  isGiven,
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
import { decodeInput } from './input.js';

/** Parameters whose meaning lives in OpenAI's own storage: ignoring them would answer a different question. */
const REFUSED: Record<string, string> = {
  previous_response_id: "'previous_response_id' is not supported: this gateway stores no responses; send the whole conversation in 'input'",
  conversation: "'conversation' is not supported: this gateway stores no conversations; send the whole conversation in 'input'",
  prompt: "'prompt' is not supported: prompt templates are stored by OpenAI; send the instructions and input themselves",
};

/** Read below; the last ones in `noteIgnored`. */
const HANDLED = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'text', 'max_output_tokens',
  'temperature', 'top_p', 'reasoning', 'metadata', 'user', 'safety_identifier', 'stream', 'stream_options', 'store', 'include',
  'background', 'truncation', 'top_logprobs',
]);

/**
 * A `POST /v1/responses` body as an IR request. Built-in tools (web search, file search, code
 * interpreter, MCP…) run inside OpenAI's Responses API only, so a request with one is
 * refused rather than answered without it. Parameters with no IR field are listed in
 * `unsupported` under their Responses name.
 */
export function decodeResponsesRequest(body: Record<string, unknown>): ChatRequest {
  for (const [key, message] of Object.entries(REFUSED)) {
    if (isGiven(body[key])) throw invalid(message, key);
  }
  const unsupported: string[] = [];
  const model = requiredString(body.model, 'model');
  if (!isGiven(body.input)) throw invalid("'input' is required", 'input');
  const input = decodeInput(body.input, unsupported);
  const instructions = optionalString(body.instructions, 'instructions');

  const request: ChatRequest = {
    model,
    // Instructions come first: the API inserts them before the input.
    system: [...(instructions === undefined ? [] : [{ type: 'text' as const, text: instructions }]), ...input.system],
    messages: input.messages,
    tools: [],
    stop: [],
    stream: optionalBoolean(body.stream, 'stream') ?? false,
    unsupported,
  };

  const { tools, toolChoice } = decodeTools(body.tools, body.tool_choice, unsupported);
  request.tools = tools;
  if (toolChoice) request.toolChoice = toolChoice;
  const parallel = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  const format = decodeText(body.text, unsupported);
  if (format) request.responseFormat = format;
  const maxOutputTokens = optionalInteger(body.max_output_tokens, 'max_output_tokens', 1);
  if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const reasoning = decodeReasoning(body.reasoning, unsupported);
  if (reasoning) request.reasoning = reasoning;
  const metadata = readMetadata(body.metadata);
  if (metadata) request.metadata = metadata;

  // `safety_identifier` replaces the deprecated `user`; both name the end user.
  const safetyIdentifier = optionalString(body.safety_identifier, 'safety_identifier');
  const user = optionalString(body.user, 'user');
  if (safetyIdentifier !== undefined || user !== undefined) request.user = (safetyIdentifier ?? user) as string;
  if (safetyIdentifier !== undefined && user !== undefined && user !== safetyIdentifier) unsupported.push('user');

  noteIgnored(body, unsupported);
  for (const [key, value] of Object.entries(body)) {
    if (!HANDLED.has(key) && isGiven(value)) unsupported.push(key);
  }
  request.unsupported = [...new Set(unsupported)];
  return request;
}

/**
 * `store` defaults to true at OpenAI, but a client that did not set it relies on nothing
 * stored (it cannot, as `previous_response_id` is refused): only an explicit `store: true`
 * is reported. `include: ['reasoning.encrypted_content']` is always honoured (reasoning
 * items carry their signature); other inclusions are not. `stream_options` only turns
 * obfuscation padding on or off, and the gateway sends none. `background`, `truncation` and
 * `top_logprobs` are reported only when they ask for more than the default.
 */
function noteIgnored(body: Record<string, unknown>, unsupported: string[]): void {
  if (optionalBoolean(body.store, 'store') === true) unsupported.push('store');
  if (optionalBoolean(body.background, 'background') === true) unsupported.push('background');
  if (isGiven(body.truncation) && oneOf(body.truncation, ['auto', 'disabled'], 'truncation') === 'auto') unsupported.push('truncation');
  if ((optionalInteger(body.top_logprobs, 'top_logprobs', 0) ?? 0) > 0) unsupported.push('top_logprobs');
  const include = optionalArray(body.include, 'include') ?? [];
  include.forEach((value, i) => {
    if (requiredString(value, `include[${i}]`) !== 'reasoning.encrypted_content') unsupported.push(`include:${String(value)}`);
  });
  const streamOptions = optionalRecord(body.stream_options, 'stream_options');
  if (streamOptions) optionalBoolean(streamOptions.include_obfuscation, 'stream_options.include_obfuscation');
}

function decodeTools(value: unknown, choiceValue: unknown, unsupported: string[]): { tools: ToolDefinition[]; toolChoice?: ToolChoice } {
  let tools = (optionalArray(value, 'tools') ?? []).map((raw, i) => decodeTool(raw, `tools[${i}]`, unsupported));
  if (!isGiven(choiceValue)) return { tools };
  if (typeof choiceValue === 'string') return { tools, toolChoice: { type: oneOf(choiceValue, ['auto', 'none', 'required'], 'tool_choice') } };
  const choice = requiredRecord(choiceValue, 'tool_choice');
  if (choice.type === 'function') return { tools, toolChoice: { type: 'tool', name: requiredString(choice.name, 'tool_choice.name') } };
  if (choice.type === 'allowed_tools') {
    // Offering only the allowed tools is what the restriction means; the mode carries over.
    const mode = oneOf(choice.mode, ['auto', 'required'], 'tool_choice.mode');
    const allowed = (optionalArray(choice.tools, 'tool_choice.tools') ?? []).map((raw, i) => {
      const entry = requiredRecord(raw, `tool_choice.tools[${i}]`);
      if (entry.type !== 'function') throw builtInTool(String(entry.type), `tool_choice.tools[${i}].type`);
      return requiredString(entry.name, `tool_choice.tools[${i}].name`);
    });
    // A Set: a client may list thousands of tools and as many allowed names.
    const allowedNames = new Set(allowed);
    tools = tools.filter((tool) => allowedNames.has(tool.name));
    return { tools, toolChoice: { type: mode } };
  }
  throw builtInTool(String(choice.type), 'tool_choice.type');
}

/** FunctionTool fields the IR carries; the others (`defer_loading`, `output_schema`, `allowed_callers`…) are reported when set. */
const FUNCTION_TOOL_FIELDS = new Set(['type', 'name', 'parameters', 'strict', 'description']);

function decodeTool(raw: unknown, param: string, unsupported: string[]): ToolDefinition {
  const tool = requiredRecord(raw, param);
  if (tool.type !== 'function') throw builtInTool(String(tool.type), `${param}.type`);
  for (const [key, value] of Object.entries(tool)) {
    if (!FUNCTION_TOOL_FIELDS.has(key) && isGiven(value) && value !== false) unsupported.push(`tools[].${key}`);
  }
  return readFunctionTool(tool, param);
}

function builtInTool(type: string, param: string) {
  return invalid(
    `'${param}': the '${type}' tool is not supported by this gateway: OpenAI's built-in tools run inside OpenAI's Responses API and cannot run on another provider; use function tools`,
    param,
  );
}

function decodeText(value: unknown, unsupported: string[]): ResponseFormat | undefined {
  const text = optionalRecord(value, 'text');
  if (!text) return undefined;
  if (isGiven(text.verbosity)) unsupported.push('text.verbosity');
  const format = optionalRecord(text.format, 'text.format');
  if (!format) return undefined;
  const type = oneOf(format.type, ['text', 'json_object', 'json_schema'], 'text.format.type');
  if (type !== 'json_schema') return { type };
  return readJsonSchemaFormat(format, 'text.format', 'required');
}

/**
 * The effort is read as in Chat Completions (see `readReasoningEffort`). The summary's level (`concise`, `detailed`) has no equivalent: thinking
 * comes back as the provider wrote it.
 */
function decodeReasoning(value: unknown, unsupported: string[]): Reasoning | undefined {
  const reasoning = optionalRecord(value, 'reasoning');
  if (!reasoning) return undefined;
  for (const key of ['summary', 'generate_summary']) {
    const level = optionalString(reasoning[key], `reasoning.${key}`);
    if (level !== undefined && level !== 'auto') unsupported.push(`reasoning.${key}`);
  }
  for (const key of Object.keys(reasoning)) {
    if (!['effort', 'summary', 'generate_summary'].includes(key) && isGiven(reasoning[key])) unsupported.push(`reasoning.${key}`);
  }
  return readReasoningEffort(reasoning.effort, 'reasoning.effort');
}
