import type { ChatRequest, ReasoningEffort, ResponseFormat, ToolChoice } from '../../ir/chat.js';
import type { EncodedRequest } from '../../ir/codec.js';
import { effortForBudget } from '../../ir/reasoning.js';
import type { UpstreamTarget } from '../../ir/target.js';
import { baseUpstreamHeaders } from '../shared.js';
import { encodeMessages } from './messages.js';
import { setVendorAuth } from './request.js';
import { vendorEffort, type OpenAICompatibleProfile } from './vendors.js';
import type { HeaderReader } from '../../http/header-fields.js';

/** The IR as a Chat Completions request for one vendor, and what of it the vendor cannot take. */
export function encodeChatRequest(
  request: ChatRequest,
  model: UpstreamTarget,
  clientHeaders: HeaderReader,
  profile: OpenAICompatibleProfile,
): EncodedRequest {
  const dropped = new Set<string>();
  const body: Record<string, unknown> = {
    model: model.upstreamModel,
    messages: encodeMessages(request.system, request.messages, profile, dropped),
  };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
  }
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
  const supports = (field: OpenAICompatibleProfile['unsupported'][number]): boolean => {
    if (!profile.unsupported.includes(field)) return true;
    dropped.add(field);
    return false;
  };
  if (request.parallelToolCalls !== undefined && supports('parallelToolCalls')) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat) {
    const format = encodeResponseFormat(request.responseFormat, profile);
    if (format) body.response_format = format;
    else dropped.add('responseFormat');
  }
  if (request.maxOutputTokens !== undefined) body[profile.maxTokensField] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) dropped.add('topK');
  if (request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined && supports('seed')) body[profile.seedField] = request.seed;
  if (request.user !== undefined && supports('user')) body.user = request.user;
  if (request.metadata !== undefined && supports('metadata')) body.metadata = request.metadata;
  encodeReasoning(request, model, profile, body, dropped);
  if (request.stream) {
    body.stream = true;
    if (profile.streamUsageOption) body.stream_options = { include_usage: true };
  }

  const headers = baseUpstreamHeaders(model, clientHeaders);
  headers.set('accept', request.stream ? 'text/event-stream' : 'application/json');
  setVendorAuth(headers, model, profile);
  return {
    request: { url: `${model.baseUrl}/chat/completions`, headers, body: JSON.stringify(body) },
    dropped: [...dropped],
  };
}

function encodeToolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function encodeResponseFormat(format: ResponseFormat, profile: OpenAICompatibleProfile): unknown {
  if (format.type !== 'json_schema') return { type: format.type };
  if (!profile.jsonSchema) return undefined;
  const { name, schema, strict, description } = format;
  return {
    type: 'json_schema',
    json_schema: {
      name,
      ...(description === undefined ? {} : { description }),
      schema,
      ...(strict === undefined ? {} : { strict }),
    },
  };
}

/**
 * An effort, or one derived from a budget (reasoning.ts), becomes `reasoning_effort`.
 * `enabled: false` sends nothing: Chat Completions has no "off" that all models accept
 * (`none` exists only on newer OpenAI models, and models that cannot reason refuse the
 * parameter altogether), and a model left at its default that does not reason complies.
 */
function encodeReasoning(
  request: ChatRequest,
  model: UpstreamTarget,
  profile: OpenAICompatibleProfile,
  body: Record<string, unknown>,
  dropped: Set<string>,
): void {
  const reasoning = request.reasoning;
  if (!reasoning || !reasoning.enabled) return;
  // Claude Code asks for thinking on every turn: a model that cannot reason must not get a 400 for it.
  if (!canReason(model, profile)) {
    dropped.add('reasoning');
    return;
  }
  const wanted: ReasoningEffort | undefined =
    reasoning.effort ?? (reasoning.budgetTokens === undefined ? undefined : effortForBudget(reasoning.budgetTokens));
  switch (profile.reasoning.style) {
    case 'none':
      dropped.add('reasoning');
      return;
    case 'openrouter':
      // OpenRouter takes a budget as it is; an effort when that is all there is.
      if (reasoning.budgetTokens !== undefined && reasoning.effort === undefined) body.reasoning = { max_tokens: reasoning.budgetTokens };
      else if (wanted) body.reasoning = { effort: wanted };
      else body.reasoning = { enabled: true };
      return;
    case 'reasoning_effort':
      if (wanted) body.reasoning_effort = vendorEffort(profile.reasoning.efforts, wanted);
      return;
  }
}

/** The model's own `capabilities.thinking` when set, else what the vendor's profile knows of its name. */
function canReason(model: UpstreamTarget, profile: OpenAICompatibleProfile): boolean {
  const declared = model.config.capabilities?.thinking;
  if (declared !== undefined) return declared;
  return profile.reasoning.style !== 'reasoning_effort' || !profile.reasoning.models || profile.reasoning.models.test(model.upstreamModel);
}
