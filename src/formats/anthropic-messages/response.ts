import type { ChatResponse, OutputPart, StopReason } from '../../ir/chat.js';
import { argumentsObject } from '../../ir/arguments.js';
import type { TokenUsage } from '../../ir/usage.js';

/**
 * The IR answer as the Messages API's `Message`. Fields follow the Message type of
 * @anthropic-ai/sdk; those only Anthropic can know (cache TTL breakdown, service tier,
 * inference region, server tool counts) are null, as the API sends them when they do not apply.
 */

export type AnthropicStopReason = Exclude<StopReason, 'content_filter'>;

/** Anthropic's vocabulary is the IR's, except that a provider's content filter is a refusal. */
export function anthropicStopReason(reason: StopReason): AnthropicStopReason {
  return reason === 'content_filter' ? 'refusal' : reason;
}

/** Anthropic ids start with `msg_`; another provider's id is kept inside one so logs still match. */
export function anthropicMessageId(id: string): string {
  if (id.startsWith('msg_')) return id;
  return id === '' ? `msg_${crypto.randomUUID().replaceAll('-', '')}` : `msg_${id}`;
}

/** Anthropic's `input_tokens` excludes cache reads and writes, which the IR's inputTokens includes. */
export function uncachedInputTokens(usage: TokenUsage): number {
  return Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
}

const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

/** The `usage` object of a Message (also the one in `message_start`). */
export function anthropicUsage(usage: TokenUsage = NO_USAGE): Record<string, unknown> {
  return {
    input_tokens: uncachedInputTokens(usage),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    cache_creation: null,
    output_tokens: usage.outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
    speed: null,
  };
}

/** The cumulative counts a `message_delta` carries (newer API versions include the input side). */
export function anthropicDeltaUsage(usage: TokenUsage = NO_USAGE): Record<string, unknown> {
  return {
    input_tokens: uncachedInputTokens(usage),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
  };
}

/** Tool calls made by the model itself (not by Anthropic's code execution) carry this caller. */
export const DIRECT_CALLER = { type: 'direct' } as const;

function encodeBlock(part: OutputPart): Record<string, unknown> {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text, citations: null };
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: argumentsObject(part.arguments), caller: DIRECT_CALLER };
    case 'thinking':
      // The SDK types the signature as a string; a provider without signatures gets an empty one.
      return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: part.data };
  }
}

/** `body` is the client's request: its `model` names the answer when the provider gave none. */
export function encodeMessagesResponse(response: ChatResponse, body: Record<string, unknown>): Record<string, unknown> {
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model !== '' ? response.model : typeof body.model === 'string' ? body.model : '',
    content: response.content.map(encodeBlock),
    stop_reason: anthropicStopReason(response.stopReason),
    stop_sequence: response.stopSequence ?? null,
    stop_details: null,
    usage: anthropicUsage(response.usage),
  };
}

/** The answer of `POST /v1/messages/count_tokens`. */
export function encodeCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
