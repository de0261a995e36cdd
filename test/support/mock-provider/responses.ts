// OpenAI Responses API answers (POST /v1/responses), shaped as openai@6 types them (Response,
// ResponseOutputItem, ResponseUsage, ResponseStreamEvent) and as the API sends them on the wire,
// which recorded traffic shows: the Response echoes the request's settings with their defaults
// filled in; a stream is `event: <type>` + `data: {"type","sequence_number",...}` frames from
// response.created to response.completed, with no [DONE], deltas padded with `obfuscation`.

import { randomBytes } from 'node:crypto';
import { splitForStreaming, type MockAnswer } from './answer.js';
import type { Reply } from './deliver.js';
import { openaiHeaders, type AnswerContext } from './openai.js';
import { mockResponsesAnswer, mockResponsesReasoning, mockResponsesUsage } from './responses-request.js';
import { contextCalls, responsesValidationError, ResponsesStore } from './responses-validate.js';

export { ResponsesStore } from './responses-validate.js';

/** The `encrypted_content` of reasoning items when the request includes 'reasoning.encrypted_content'. */
export const MOCK_ENCRYPTED_REASONING = 'gAAAAABtb2NrLWVuY3J5cHRlZC1yZWFzb25pbmc=';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAI's item ids: a prefix and 48 hex digits (`resp_`, `msg_`, `fc_`, `rs_`); call ids `call_` and 24 characters. */
function newId(prefix: string, bytes = 24): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}

/** Function tools come back with their defaults (description null, strict true); built-in tools as sent. */
function echoedTools(tools: unknown): unknown[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool) =>
    isRecord(tool) && tool.type === 'function'
      ? { type: 'function', description: tool.description ?? null, name: tool.name, parameters: tool.parameters ?? null, strict: tool.strict ?? true }
      : tool,
  );
}

interface ResponseState {
  id: string;
  status: 'in_progress' | 'completed' | 'failed';
  output: Json[];
  usage: Json | null;
  error?: Json;
}

/** A Response: the request's settings echoed with the API's defaults, in the order the API sends its members. */
function responseObject(request: Json, state: ResponseState, ctx: AnswerContext): Json {
  const reasoning = isRecord(request.reasoning) ? request.reasoning : {};
  const text = isRecord(request.text) ? request.text : {};
  const requestedTier = typeof request.service_tier === 'string' ? request.service_tier : 'auto';
  return {
    id: state.id,
    object: 'response',
    created_at: ctx.created,
    status: state.status,
    background: request.background ?? false,
    completed_at: state.status === 'completed' ? ctx.created : null,
    error: state.error ?? null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    model: request.model,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    prompt_cache_retention: request.prompt_cache_retention ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: request.safety_identifier ?? null,
    // The tier asked for while in progress, the tier that served it once done ('auto' is served as 'default').
    service_tier: state.status === 'in_progress' || requestedTier !== 'auto' ? requestedTier : 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: echoedTools(request.tools),
    top_logprobs: request.top_logprobs ?? 0,
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: state.usage,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

interface OutputIds {
  reasoning: string;
  message: string;
  call: string;
  callId: string;
}

function includesEncryptedReasoning(request: Json): boolean {
  return Array.isArray(request.include) && request.include.includes('reasoning.encrypted_content');
}

function reasoningItem(request: Json, ids: OutputIds, summary: Json[]): Json {
  const encrypted = includesEncryptedReasoning(request) ? { encrypted_content: MOCK_ENCRYPTED_REASONING } : {};
  return { id: ids.reasoning, type: 'reasoning', ...encrypted, summary };
}

function outputText(text: string): Json {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function messageItem(ids: OutputIds, status: string, content: Json[]): Json {
  return { id: ids.message, type: 'message', status, content, role: 'assistant' };
}

function functionCallItem(answer: Extract<MockAnswer, { kind: 'tool' }>, ids: OutputIds, status: string, args: string): Json {
  return { id: ids.call, type: 'function_call', status, arguments: args, call_id: ids.callId, name: answer.toolName };
}

/** The finished output items: the reasoning (when asked) first, then the message or the function call. */
function finalOutput(request: Json, answer: MockAnswer, reasoning: string | undefined, ids: OutputIds): Json[] {
  const output: Json[] = [];
  if (reasoning !== undefined) output.push(reasoningItem(request, ids, [{ type: 'summary_text', text: reasoning }]));
  if (answer.kind === 'tool') output.push(functionCallItem(answer, ids, 'completed', answer.argumentsJson));
  else output.push(messageItem(ids, 'completed', [outputText(answer.text)]));
  return output;
}

/** One SSE frame and the output items finished once it is sent (for a response.failed cut after it). */
interface Frame {
  type: string;
  fields: Json;
  doneItems: Json[];
}

function streamFrames(request: Json, answer: MockAnswer, reasoning: string | undefined, ids: OutputIds, ctx: AnswerContext): Frame[] {
  const frames: Frame[] = [];
  const done: Json[] = [];
  const push = (type: string, fields: Json) => frames.push({ type, fields, doneItems: [...done] });
  const finishItem = (outputIndex: number, item: Json) => {
    done.push(item);
    push('response.output_item.done', { output_index: outputIndex, item });
  };
  let outputIndex = 0;
  if (reasoning !== undefined) {
    const at = { item_id: ids.reasoning, output_index: outputIndex };
    const part = { type: 'summary_text', text: reasoning };
    push('response.output_item.added', { output_index: outputIndex, item: reasoningItem(request, ids, []) });
    push('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
    for (const delta of splitForStreaming(reasoning, ctx.textPieces)) push('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta, obfuscate: true });
    push('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: reasoning });
    push('response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
    finishItem(outputIndex, reasoningItem(request, ids, [part]));
    outputIndex += 1;
  }
  if (answer.kind === 'tool') {
    const at = { item_id: ids.call, output_index: outputIndex };
    const args = answer.argumentsJson;
    push('response.output_item.added', { output_index: outputIndex, item: functionCallItem(answer, ids, 'in_progress', '') });
    for (const delta of splitForStreaming(args, ctx.textPieces ?? Math.ceil(args.length / 8))) push('response.function_call_arguments.delta', { ...at, delta, obfuscate: true });
    push('response.function_call_arguments.done', { ...at, arguments: args });
    finishItem(outputIndex, functionCallItem(answer, ids, 'completed', args));
  } else {
    const at = { item_id: ids.message, output_index: outputIndex, content_index: 0 };
    push('response.output_item.added', { output_index: outputIndex, item: messageItem(ids, 'in_progress', []) });
    push('response.content_part.added', { ...at, part: outputText('') });
    for (const delta of splitForStreaming(answer.text, ctx.textPieces)) push('response.output_text.delta', { ...at, delta, logprobs: [], obfuscate: true });
    push('response.output_text.done', { ...at, text: answer.text, logprobs: [] });
    push('response.content_part.done', { ...at, part: outputText(answer.text) });
    finishItem(outputIndex, messageItem(ids, 'completed', [outputText(answer.text)]));
  }
  return frames;
}

function sseFrame(type: string, sequence: number, fields: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...fields })}\n\n`;
}

function streamReply(request: Json, answer: MockAnswer, reasoning: string | undefined, ids: OutputIds, responseId: string, ctx: AnswerContext): Reply {
  const options = isRecord(request.stream_options) ? request.stream_options : {};
  // As in chat streams, deltas are padded with an `obfuscation` string unless include_obfuscation is false.
  const includeObfuscation = options.include_obfuscation !== false;
  const started = responseObject(request, { id: responseId, status: 'in_progress', output: [], usage: null }, ctx);
  const completed = responseObject(request, { id: responseId, status: 'completed', output: finalOutput(request, answer, reasoning, ids), usage: mockResponsesUsage(request) }, ctx);
  const frames: Frame[] = [
    { type: 'response.created', fields: { response: started }, doneItems: [] },
    { type: 'response.in_progress', fields: { response: started }, doneItems: [] },
    ...streamFrames(request, answer, reasoning, ids, ctx),
    { type: 'response.completed', fields: { response: completed }, doneItems: [] },
  ];
  const events = frames.map(({ type, fields }, sequence) => {
    const { obfuscate, ...rest } = fields;
    const padded = obfuscate === true && includeObfuscation ? { ...rest, obfuscation: 'mockpadding'.slice(0, 1 + (sequence % 11)) } : rest;
    return sseFrame(type, sequence, padded);
  });
  // Recorded traffic: a failing response sends an `error` event (the error nested, as in HTTP error
  // bodies, so the SDK throws it as an APIError), then response.failed with what was finished so far.
  const midStreamErrorEvent = (afterEvents: number) => {
    const message =
      'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. ' +
      `Please include the request ID ${ctx.requestId} in your message.`;
    const doneItems = frames[afterEvents - 1]?.doneItems ?? [];
    const failed = responseObject(request, { id: responseId, status: 'failed', output: doneItems, usage: null, error: { code: 'server_error', message } }, ctx);
    return (
      sseFrame('error', afterEvents, { error: { type: 'server_error', code: 'server_error', message, param: null } }) +
      sseFrame('response.failed', afterEvents + 1, { response: failed })
    );
  };
  return { kind: 'sse', status: 200, headers: { ...openaiHeaders(ctx.requestId, 'text/event-stream; charset=utf-8'), 'cache-control': 'no-cache' }, events, midStreamErrorEvent };
}

/** POST /v1/responses: a Response, or its event stream with `stream: true`. Stored responses are remembered in `store`. */
export function responsesReply(body: unknown, ctx: AnswerContext, store: ResponsesStore): Reply {
  const invalid = responsesValidationError(body, store, ctx.requestId);
  if (invalid) return invalid;
  const request = body as Json;
  const answer = mockResponsesAnswer(request);
  const reasoning = mockResponsesReasoning(request);
  const ids: OutputIds = { reasoning: newId('rs'), message: newId('msg'), call: newId('fc'), callId: newId('call', 12) };
  const responseId = newId('resp');
  if (request.store !== false) {
    const ownCalls = answer.kind === 'tool' ? [ids.callId] : [];
    store.save(responseId, { knownCalls: new Set([...contextCalls(request, store), ...ownCalls]), pendingCalls: ownCalls });
  }
  if (request.stream === true) return streamReply(request, answer, reasoning, ids, responseId, ctx);
  const response = responseObject(request, { id: responseId, status: 'completed', output: finalOutput(request, answer, reasoning, ids), usage: mockResponsesUsage(request) }, ctx);
  return { kind: 'json', status: 200, headers: openaiHeaders(ctx.requestId), body: response };
}
