import { randomBytes, toHex } from '../../crypto/encoding.js';
import type { ChatResponse, OutputPart, StopReason } from '../../ir/chat.js';
import type { TokenUsage } from '../../ir/usage.js';
import { isRecord } from '../../json/record.js';
import { reasoningItem } from './reasoning.js';

/** What every Response snapshot of one answer shares. */
export interface ResponseHead {
  id: string;
  model: string;
  createdAt: number;
  /** Item ids are this plus the item's output index (`msg_<base>_0`), unique as the provider's id is. */
  idBase: string;
}

/**
 * Ids derived from the provider's, so the gateway's logs and the provider's match; a
 * provider that gave none gets a random one.
 */
export function responseHead(providerId: string, model: string, createdAt: number): ResponseHead {
  const base = providerId.replace(/[^A-Za-z0-9]/g, '') || toHex(randomBytes(16));
  return { id: `resp_${base}`, model, createdAt, idBase: base };
}

export function itemId(head: ResponseHead, prefix: 'msg' | 'fc' | 'rs', outputIndex: number): string {
  return `${prefix}_${head.idBase}_${outputIndex}`;
}

export type IncompleteReason = 'max_output_tokens' | 'content_filter';

/** `pause_turn` (a server tool paused) cannot happen without built-in tools, which are refused; it reads as completed. */
export function incompleteReason(stopReason: StopReason): IncompleteReason | undefined {
  if (stopReason === 'max_tokens') return 'max_output_tokens';
  if (stopReason === 'content_filter' || stopReason === 'refusal') return 'content_filter';
  return undefined;
}

/**
 * ResponseUsage. `input_tokens` includes cached tokens, as the IR's `inputTokens` does. The IR
 * does not count reasoning tokens apart (Anthropic and Gemini bill them as output), so
 * `reasoning_tokens` is 0 and thinking is inside `output_tokens`.
 */
export function responseUsage(usage: TokenUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export function messageItem(id: string, texts: string[], status: ItemStatus): Record<string, unknown> {
  return { id, type: 'message', status, content: texts.map(outputText), role: 'assistant' };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: ItemStatus): Record<string, unknown> {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

export interface ResponseState {
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  output: unknown[];
  usage?: TokenUsage;
  incompleteReason?: IncompleteReason;
  error?: { code: string; message: string };
  /** Unix seconds; set when the answer is complete. */
  completedAt?: number;
}

/**
 * A Response object: the answer's state and the request's parameters echoed back, as the API
 * does, with the API's defaults for what the client left out. `store` is false whatever was
 * asked: the gateway stores nothing. `output_text` is not sent: the SDKs compute it.
 */
export function responseObject(head: ResponseHead, body: Record<string, unknown>, state: ResponseState): Record<string, unknown> {
  const reasoning = isRecord(body.reasoning) ? body.reasoning : {};
  const text = isRecord(body.text) ? body.text : {};
  return {
    id: head.id,
    object: 'response',
    created_at: head.createdAt,
    status: state.status,
    background: false,
    completed_at: state.completedAt ?? null,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    max_tool_calls: null,
    model: head.model,
    output: state.output,
    parallel_tool_calls: typeof body.parallel_tool_calls === 'boolean' ? body.parallel_tool_calls : true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: typeof body.safety_identifier === 'string' ? body.safety_identifier : null,
    store: false,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { format: isRecord(text.format) ? text.format : { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: typeof body.tool_choice === 'string' || isRecord(body.tool_choice) ? body.tool_choice : 'auto',
    tools: Array.isArray(body.tools) ? body.tools.filter(isRecord).map(echoTool) : [],
    top_logprobs: 0,
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: body.truncation === 'auto' ? 'auto' : 'disabled',
    usage: state.usage ? responseUsage(state.usage) : null,
    user: typeof body.user === 'string' ? body.user : null,
    metadata: isRecord(body.metadata) ? body.metadata : {},
  };
}

/** FunctionTool as the API echoes it: every field present, null where the client gave none. */
function echoTool(tool: Record<string, unknown>): Record<string, unknown> {
  return {
    ...tool,
    description: tool.description ?? null,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? null,
  };
}

/**
 * The output items of an answer, in order: consecutive text parts share one message item
 * (one `output_text` part each), tool calls are `function_call` items and thinking parts
 * `reasoning` items. When the answer was cut short, the last item is `incomplete`.
 */
export function outputItems(head: ResponseHead, content: OutputPart[], incomplete: boolean): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  let texts: string[] | undefined;
  const flushText = (): void => {
    if (texts) items.push(messageItem(itemId(head, 'msg', items.length), texts, 'completed'));
    texts = undefined;
  };
  for (const part of content) {
    if (part.type === 'text') {
      (texts ??= []).push(part.text);
      continue;
    }
    flushText();
    if (part.type === 'tool_call') {
      // A call without arguments is `{}` at OpenAI; clients JSON.parse it.
      items.push(functionCallItem(itemId(head, 'fc', items.length), part.id, part.name, part.arguments || '{}', 'completed'));
    } else {
      items.push(reasoningItem(part, itemId(head, 'rs', items.length)));
    }
  }
  flushText();
  const last = items.at(-1);
  if (incomplete && last && last.type !== 'reasoning') last.status = 'incomplete';
  return items;
}

/** The IR answer as a Response object (`POST /v1/responses` without `stream`). */
export function encodeResponsesResponse(response: ChatResponse, body: Record<string, unknown>): Record<string, unknown> {
  const head = responseHead(response.id, response.model, response.created);
  const reason = incompleteReason(response.stopReason);
  const state: ResponseState = {
    status: reason ? 'incomplete' : 'completed',
    output: outputItems(head, response.content, reason !== undefined),
  };
  if (reason) state.incompleteReason = reason;
  else state.completedAt = Math.floor(Date.now() / 1000);
  if (response.usage) state.usage = response.usage;
  return responseObject(head, body, state);
}
