import { GatewayError } from '../../errors.js';
import type { ChatResponse, OutputPart, StopReason } from '../../ir/chat.js';
import type { TokenUsage } from '../../ir/usage.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';

/**
 * Reads v2 `usage` ({billed_units, tokens, cached_tokens}). `billed_units` is what Cohere
 * charges for and is preferred: `tokens` also counts the prompt scaffolding Cohere adds itself
 * (a one-line question shows ~70 `tokens` but ~5 billed), which the client never sent and
 * does not pay for. `tokens` is the fallback when no billed units came.
 *
 * `cached_tokens` counts prompt tokens served from Cohere's cache out of `tokens`, so it can
 * exceed the billed input; it is capped at `inputTokens` to keep TokenUsage's rule that cached
 * tokens are part of the input. Cohere publishes no cheaper cached rate, so a model priced
 * without `cachedInput` costs the same either way.
 */
export function cohereUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const billed = isRecord(usage.billed_units) ? usage.billed_units : undefined;
  const tokens = isRecord(usage.tokens) ? usage.tokens : undefined;
  if (!billed && !tokens) return undefined;
  const pick = (field: 'input_tokens' | 'output_tokens') =>
    billed && typeof billed[field] === 'number' ? count(billed[field]) : count(tokens?.[field]);
  const inputTokens = pick('input_tokens');
  return {
    inputTokens,
    outputTokens: pick('output_tokens'),
    cachedInputTokens: Math.min(count(usage.cached_tokens), inputTokens),
    cacheWriteTokens: 0,
  };
}

/**
 * v2 finish reasons to the IR's. `TIMEOUT` cut the answer short, which clients know as running
 * out of tokens (`length`, `max_tokens`): the only IR reason that says "incomplete". `ERROR` is
 * not a way to finish: callers turn it into an error (see `isCohereErrorFinish`).
 */
export function cohereStopReason(reason: unknown): StopReason {
  switch (reason) {
    case 'STOP_SEQUENCE':
      return 'stop_sequence';
    case 'MAX_TOKENS':
    case 'TIMEOUT':
      return 'max_tokens';
    case 'TOOL_CALL':
      return 'tool_use';
    default:
      // COMPLETE, and any reason newer than this code: the model ended its turn.
      return 'end_turn';
  }
}

/** "The generation failed due to an internal error" (ChatFinishReason). */
export function isCohereErrorFinish(reason: unknown): boolean {
  return reason === 'ERROR';
}

/**
 * A v2 Chat answer to the IR. Cohere's answer names no model and no time: `model` is left
 * empty for the caller to fill (it knows which model it called) and `created` is now.
 * `tool_plan`, the words the model says before its tool calls, becomes a text part ahead of
 * them, the way Anthropic and OpenAI answers carry such text (request encoding puts it back).
 * Citations are not carried: the IR has no place for them, and v2 gives them only when the
 * call had `documents`, which this provider never sends.
 */
export function decodeCohereChatResponse(body: unknown): ChatResponse {
  if (!isRecord(body) || !isRecord(body.message) || typeof body.finish_reason !== 'string') {
    throw new GatewayError('upstream_error', 'Cohere sent an answer that is not a v2 chat response');
  }
  if (isCohereErrorFinish(body.finish_reason)) {
    throw new GatewayError('upstream_error', 'Cohere reported that the generation failed (finish_reason ERROR)');
  }
  const message = body.message;
  const content: OutputPart[] = [];
  if (Array.isArray(message.content)) {
    for (const item of message.content) {
      if (!isRecord(item)) continue;
      if (item.type === 'text' && typeof item.text === 'string') content.push({ type: 'text', text: item.text });
      else if (item.type === 'thinking' && typeof item.thinking === 'string') content.push({ type: 'thinking', text: item.thinking });
    }
  }
  if (typeof message.tool_plan === 'string' && message.tool_plan !== '') content.push({ type: 'text', text: message.tool_plan });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : {};
      content.push({
        type: 'tool_call',
        id: typeof call.id === 'string' ? call.id : '',
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      });
    }
  }
  const usage = cohereUsage(body.usage);
  return {
    id: typeof body.id === 'string' ? body.id : '',
    model: '',
    created: Math.floor(Date.now() / 1000),
    content,
    stopReason: cohereStopReason(body.finish_reason),
    ...(usage ? { usage } : {}),
  };
}
