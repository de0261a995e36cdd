import { GatewayError } from '../../errors.js';
import type { ChatRequest, Reasoning, ResponseFormat, ToolChoice, ToolDefinition } from '../../ir/chat.js';
import type { EncodedRequest } from '../../ir/codec.js';
import { budgetForEffort } from '../../ir/reasoning.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { encodeCohereMessages } from './messages.js';
import { HeaderFields } from '../../http/header-fields.js';

/** Headers for any Cohere call: JSON in, the answer kind asked for, the model's extra headers, Bearer auth. */
export function cohereHeaders(model: UpstreamTarget, stream: boolean): HeaderFields {
  const headers = new HeaderFields(model.config.headers);
  headers.set('content-type', 'application/json');
  // The client's Accept describes its own format, not Cohere's answer: ask for what we read.
  headers.set('accept', stream ? 'text/event-stream' : 'application/json');
  if (model.apiKey) headers.set('authorization', `Bearer ${model.apiKey}`);
  return headers;
}

/**
 * IR to a v2 Chat call (POST /v2/chat). Wire names are the snake_case ones the SDK's
 * serializers write (`max_tokens`, `p`, `k`, `stop_sequences`, `tool_choice`, `strict_tools`).
 */
export function encodeCohereChatRequest(request: ChatRequest, model: UpstreamTarget): EncodedRequest {
  const dropped = new Set<string>();
  const body: Record<string, unknown> = {
    model: model.upstreamModel,
    messages: encodeCohereMessages(request.system, request.messages, dropped),
  };
  Object.assign(body, encodeTools(request.tools, request.toolChoice, dropped));
  // v2 has no switch for parallel calls: the model may always make several, which is what `true` asks.
  if (request.parallelToolCalls === false) dropped.add('parallelToolCalls');
  const responseFormat = encodeResponseFormat(request.responseFormat, dropped);
  if (responseFormat) body.response_format = responseFormat;
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.p = cohereTopP(request.topP);
  if (request.topK !== undefined) body.k = request.topK;
  if (request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.reasoning) body.thinking = encodeThinking(request.reasoning);
  // v2 has no end-user id and no metadata.
  if (request.user !== undefined) dropped.add('user');
  if (request.metadata !== undefined && Object.keys(request.metadata).length > 0) dropped.add('metadata');
  // The SDK always says which answer it wants; v2 answers JSON unless `stream` is true.
  body.stream = request.stream;
  return {
    request: { url: `${model.baseUrl}/v2/chat`, headers: cohereHeaders(model, request.stream), body: JSON.stringify(body) },
    dropped: [...dropped],
  };
}

/**
 * v2 takes `p` from 0.01 to 0.99 and refuses anything else, while OpenAI and Anthropic
 * clients send up to 1 (many send `top_p: 1`, meaning "no nucleus cut", by default). The
 * nearest value Cohere accepts has the same effect for all practical purposes.
 */
function cohereTopP(topP: number): number {
  return Math.min(0.99, Math.max(0.01, topP));
}

/**
 * v2's `tool_choice` has only REQUIRED and NONE; leaving it out is "auto". A named tool is sent
 * as REQUIRED with `tools` narrowed to that one tool: the model must call a tool and can see
 * no other, which is what forcing that tool means. (The other tools' descriptions leave the
 * prompt for that call; no warning is given since nothing the client asked for is lost.)
 * `strict` is one switch for all tools in v2 (`strict_tools`): it is set when every tool asks
 * for it, and reported when only some do.
 */
function encodeTools(tools: ToolDefinition[], choice: ToolChoice | undefined, dropped: Set<string>): Record<string, unknown> {
  let offered = tools;
  let toolChoice: string | undefined;
  switch (choice?.type) {
    case 'none':
      toolChoice = 'NONE';
      break;
    case 'required':
      toolChoice = 'REQUIRED';
      break;
    case 'tool':
      offered = tools.filter((tool) => tool.name === choice.name);
      if (offered.length === 0) {
        throw new GatewayError('invalid_request', `tool_choice names the tool '${choice.name}', which is not among the tools`, {
          param: 'tool_choice',
        });
      }
      toolChoice = 'REQUIRED';
      break;
  }
  const out: Record<string, unknown> = {};
  if (offered.length > 0) {
    out.tools = offered.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
    const strict = offered.filter((tool) => tool.strict === true).length;
    if (strict === offered.length) out.strict_tools = true;
    else if (strict > 0) dropped.add('tools.strict');
  }
  if (toolChoice !== undefined) out.tool_choice = toolChoice;
  return out;
}

/**
 * v2 has `text` and `json_object`, the latter with an optional `json_schema` it enforces. A
 * schema's name is only a label; its description would have guided the model and is reported.
 */
function encodeResponseFormat(format: ResponseFormat | undefined, dropped: Set<string>): Record<string, unknown> | undefined {
  switch (format?.type) {
    case undefined:
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      if (format.description !== undefined) dropped.add('responseFormat.description');
      return { type: 'json_object', json_schema: format.schema };
  }
}

/**
 * v2 `thinking`: `{type: 'enabled', token_budget?}` or `{type: 'disabled'}`. It speaks of a
 * budget only, so an effort becomes the shared table's budget (reasoning.ts).
 */
function encodeThinking(reasoning: Reasoning): Record<string, unknown> {
  if (!reasoning.enabled) return { type: 'disabled' };
  const budget = reasoning.budgetTokens ?? (reasoning.effort === undefined ? undefined : budgetForEffort(reasoning.effort));
  return { type: 'enabled', ...(budget === undefined ? {} : { token_budget: budget }) };
}
