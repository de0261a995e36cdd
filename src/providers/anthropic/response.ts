import { GatewayError } from '../../errors.js';
import { argumentsText } from '../../ir/arguments.js';
import type { ChatResponse, OutputPart, StopReason } from '../../ir/chat.js';
import type { TokenUsage } from '../../ir/usage.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';

/**
 * Reads Anthropic's `usage`. Its `input_tokens` excludes cache reads and writes, so they
 * are added back: `inputTokens` means every prompt token, in every provider.
 */
export function anthropicUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  return {
    inputTokens: count(usage.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}

export function usageFromAnthropicBody(body: unknown): TokenUsage | undefined {
  return isRecord(body) ? anthropicUsage(body.usage) : undefined;
}

/**
 * Anthropic's stop reasons are the IR's, bar one: running out of context window is, for
 * the client, running out of room to answer.
 */
export function anthropicStopReason(reason: unknown): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'pause_turn':
    case 'refusal':
      return reason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'end_turn';
  }
}

/**
 * A Messages API `Message` → IR response. Blocks the IR has no part for (server tool
 * calls and their results, which Anthropic runs itself) are left out. Anthropic sends no
 * creation time, so `now` (milliseconds) stands in.
 */
export function decodeAnthropicResponse(body: unknown, now: number = Date.now()): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.content)) {
    throw new GatewayError('upstream_error', 'Anthropic answered with a body that is not a message');
  }
  const content: OutputPart[] = [];
  for (const block of body.content) {
    const part = decodeBlock(block);
    if (part) content.push(part);
  }
  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    created: Math.floor(now / 1000),
    content,
    stopReason: anthropicStopReason(body.stop_reason),
  };
  if (typeof body.stop_sequence === 'string') response.stopSequence = body.stop_sequence;
  const usage = anthropicUsage(body.usage);
  if (usage) response.usage = usage;
  return response;
}

function decodeBlock(block: unknown): OutputPart | undefined {
  if (!isRecord(block)) return undefined;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? { type: 'text', text: block.text } : undefined;
    case 'thinking':
      return {
        type: 'thinking',
        text: typeof block.thinking === 'string' ? block.thinking : '',
        ...(typeof block.signature === 'string' ? { signature: block.signature } : {}),
      };
    case 'redacted_thinking':
      return typeof block.data === 'string' ? { type: 'redacted_thinking', data: block.data } : undefined;
    case 'tool_use':
      return {
        type: 'tool_call',
        id: typeof block.id === 'string' ? block.id : '',
        name: typeof block.name === 'string' ? block.name : '',
        arguments: argumentsText(block.input),
      };
    default:
      return undefined;
  }
}
