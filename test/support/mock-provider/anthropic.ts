// Anthropic Messages answers, shaped as @anthropic-ai/sdk@1.12 types them (Message, Usage,
// RawMessageStreamEvent, MessageTokensCount, ModelInfo) and as the API sends them on the wire.

import { MOCK_CACHED_TOKENS, mockAnswerFor, mockAnthropicTokenCount, mockAnthropicUsage, splitForStreaming, type MockAnswer } from './answer.js';
import type { Reply } from './deliver.js';
import { anthropicErrorBody } from './errors.js';
import type { AnswerContext } from './openai.js';

export const ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5'];

/** A fixed, valid-looking signature for thinking blocks. */
export const MOCK_THINKING_SIGNATURE = 'bW9jay1zaWduYXR1cmU=';

type Json = Record<string, unknown>;

export function anthropicHeaders(requestId: string, contentType = 'application/json'): Record<string, string> {
  return { 'content-type': contentType, 'request-id': requestId };
}

export function anthropicError(status: number, type: string, message: string, requestId: string): Reply {
  return { kind: 'json', status, headers: anthropicHeaders(requestId), body: anthropicErrorBody(type, message, requestId) };
}

/** The 400 Anthropic sends for a body it cannot use, or undefined when the body is acceptable. */
function validationError(body: unknown, requestId: string, needsMaxTokens: boolean): Reply | undefined {
  if (typeof body !== 'object' || body === null) {
    return anthropicError(400, 'invalid_request_error', 'There was an error parsing the body of your request.', requestId);
  }
  const request = body as Json;
  const missing = [
    typeof request.model === 'string' && request.model !== '' ? undefined : 'model',
    Array.isArray(request.messages) ? undefined : 'messages',
    !needsMaxTokens || typeof request.max_tokens === 'number' ? undefined : 'max_tokens',
  ].find((field) => field !== undefined);
  return missing ? anthropicError(400, 'invalid_request_error', `${missing}: Field required`, requestId) : undefined;
}

function toolUseId(sequence: number): string {
  return `toolu_mock${String(sequence).padStart(6, '0')}`;
}

/** The Usage object of a Message (message_start carries it too, with a placeholder output count). */
function usageObject(request: Json, outputTokens: number) {
  const usage = mockAnthropicUsage(request);
  return {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: MOCK_CACHED_TOKENS.anthropicCreation, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: usage.thinking_tokens > 0 ? { thinking_tokens: usage.thinking_tokens } : null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: 'not_available',
    speed: null,
  };
}

function contentBlocks(answer: MockAnswer, sequence: number): Json[] {
  if (answer.kind === 'tool') {
    return [{ type: 'tool_use', id: toolUseId(sequence), name: answer.toolName, input: JSON.parse(answer.argumentsJson), caller: { type: 'direct' } }];
  }
  const blocks: Json[] = [];
  if (answer.thinking !== undefined) blocks.push({ type: 'thinking', thinking: answer.thinking, signature: MOCK_THINKING_SIGNATURE });
  blocks.push({ type: 'text', text: answer.text, citations: null });
  return blocks;
}

function messageObject(request: Json, answer: MockAnswer, ctx: AnswerContext, content: Json[], outputTokens: number, stopReason: string | null) {
  return {
    id: `msg_mock${String(ctx.sequence).padStart(6, '0')}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    container: null,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    diagnostics: null,
    usage: usageObject(request, outputTokens),
  };
}

export function messagesReply(body: unknown, ctx: AnswerContext): Reply {
  const invalid = validationError(body, ctx.requestId, true);
  if (invalid) return invalid;
  const request = body as Json;
  const answer = mockAnswerFor('anthropic', request);
  const stopReason = answer.kind === 'tool' ? 'tool_use' : 'end_turn';
  if (request.stream === true) return streamReply(request, answer, ctx, stopReason);
  const outputTokens = mockAnthropicUsage(request).output_tokens;
  const message = messageObject(request, answer, ctx, contentBlocks(answer, ctx.sequence), outputTokens, stopReason);
  return { kind: 'json', status: 200, headers: anthropicHeaders(ctx.requestId), body: message };
}

function frame(data: Json & { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** content_block_start / deltas / content_block_stop for one block, as the API streams it. */
function blockEvents(block: Json, index: number, ctx: AnswerContext): string[] {
  const delta = (payload: Json) => frame({ type: 'content_block_delta', index, delta: payload });
  const events: string[] = [];
  if (block.type === 'tool_use') {
    events.push(frame({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
    const json = JSON.stringify(block.input);
    // The API opens a tool input with an empty partial_json before the fragments.
    events.push(delta({ type: 'input_json_delta', partial_json: '' }));
    for (const fragment of splitForStreaming(json, ctx.textPieces ?? Math.ceil(json.length / 8))) {
      events.push(delta({ type: 'input_json_delta', partial_json: fragment }));
    }
  } else if (block.type === 'thinking') {
    events.push(frame({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const piece of splitForStreaming(String(block.thinking))) events.push(delta({ type: 'thinking_delta', thinking: piece }));
    events.push(delta({ type: 'signature_delta', signature: String(block.signature) }));
  } else {
    events.push(frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } }));
    for (const piece of splitForStreaming(String(block.text), ctx.textPieces)) events.push(delta({ type: 'text_delta', text: piece }));
  }
  events.push(frame({ type: 'content_block_stop', index }));
  return events;
}

function streamReply(request: Json, answer: MockAnswer, ctx: AnswerContext, stopReason: string): Reply {
  const usage = usageObject(request, mockAnthropicUsage(request).output_tokens);
  const events: string[] = [
    // message_start: empty content, input and cache counts, a placeholder output count.
    frame({ type: 'message_start', message: messageObject(request, answer, ctx, [], 1, null) }),
  ];
  contentBlocks(answer, ctx.sequence).forEach((block, index) => {
    const blockFrames = blockEvents(block, index, ctx);
    events.push(...blockFrames.slice(0, 1));
    // Like the documented example stream: a ping right after the first content_block_start.
    if (index === 0) events.push(frame({ type: 'ping' }));
    events.push(...blockFrames.slice(1));
  });
  events.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null },
      // Cumulative totals for the whole message (output_tokens is the final count).
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        output_tokens_details: usage.output_tokens_details,
        server_tool_use: null,
      },
    }),
    frame({ type: 'message_stop' }),
  );
  return {
    kind: 'sse',
    status: 200,
    headers: { ...anthropicHeaders(ctx.requestId, 'text/event-stream; charset=utf-8'), 'cache-control': 'no-cache' },
    events,
    // The documented in-stream error: the API sends it after a 200 and ends the stream.
    midStreamErrorEvent: frame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  };
}

export function countTokensReply(body: unknown, requestId: string): Reply {
  const invalid = validationError(body, requestId, false);
  if (invalid) return invalid;
  return { kind: 'json', status: 200, headers: anthropicHeaders(requestId), body: { input_tokens: mockAnthropicTokenCount(body) } };
}

export function anthropicModelsReply(requestId: string): Reply {
  const data = ANTHROPIC_MODELS.map((id) => ({
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-01-01T00:00:00Z',
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: id.includes('haiku') ? 'haiku' : 'sonnet',
    max_input_tokens: 200_000,
    max_tokens: 64_000,
    retires_at: null,
  }));
  const body = { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  return { kind: 'json', status: 200, headers: anthropicHeaders(requestId), body };
}
