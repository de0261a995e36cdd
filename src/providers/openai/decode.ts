import type { ChatResponse, OutputPart, StopReason, ThinkingPart } from '../../ir/chat.js';
import { GatewayError } from '../../errors.js';
import { isRecord } from '../../json/record.js';
import { count } from '../shared.js';
import { openAIUsage } from './response.js';

/**
 * Reads a Chat Completion (the first choice) into the IR. Vendors add reasoning in their own
 * fields (`reasoning_content`: DeepSeek, vLLM, xAI; `reasoning`: Groq, OpenRouter, Ollama;
 * `reasoning_details`: OpenRouter; thinking chunks in `content`: Mistral): all are read,
 * and placed before the answer text as the model produced them.
 */
export function decodeChatCompletion(body: unknown): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body.choices)) {
    throw new GatewayError('upstream_error', 'the provider answered with something that is not a chat completion');
  }
  const choice: unknown = body.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) {
    throw new GatewayError('upstream_error', 'the provider answered a chat completion without a message');
  }
  const message = choice.message;
  const content: OutputPart[] = [...reasoningParts(message)];
  const { text, thinking } = contentParts(message.content);
  // A vendor uses one convention; should both come, the reasoning fields are not repeated.
  if (content.length === 0) content.push(...thinking);
  if (text !== '') content.push({ type: 'text', text });
  const refusal = typeof message.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  if (refusal !== undefined) content.push({ type: 'text', text: refusal });
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const call of toolCalls) {
    // Custom (free-text) tools have no IR form; only function calls are read.
    if (!isRecord(call) || (call.type !== undefined && call.type !== 'function') || !isRecord(call.function)) continue;
    const fn = call.function;
    content.push({
      type: 'tool_call',
      id: typeof call.id === 'string' && call.id !== '' ? call.id : newToolCallId(),
      name: typeof fn.name === 'string' ? fn.name : '',
      arguments: typeof fn.arguments === 'string' ? fn.arguments : fn.arguments === undefined ? '' : JSON.stringify(fn.arguments),
    });
  }
  const hasToolCalls = content.some((part) => part.type === 'tool_call');
  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    created: count(body.created),
    content,
    stopReason: refusal !== undefined ? 'refusal' : stopReasonOf(choice.finish_reason, hasToolCalls),
  };
  const usage = openAIUsage(body.usage);
  if (usage) response.usage = usage;
  return response;
}

/**
 * An id for a tool call its vendor sent without one (some self-hosted servers do): clients
 * match tool results to calls by id, so several calls must not all be ''.
 */
export function newToolCallId(): string {
  return `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/**
 * `finish_reason` in the IR's words. Some vendors say `stop` after tool calls; an unknown or
 * missing reason is an ordinary end.
 */
export function stopReasonOf(finishReason: unknown, hasToolCalls: boolean): StopReason {
  switch (finishReason) {
    case 'length':
    case 'model_length': // Mistral
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_use' : 'end_turn';
  }
}

/** Reasoning from the vendor fields, `reasoning_details` first (it alone keeps signatures). */
export function reasoningParts(message: Record<string, unknown>): OutputPart[] {
  if (Array.isArray(message.reasoning_details) && message.reasoning_details.length > 0) {
    return message.reasoning_details.flatMap((detail) => reasoningDetailPart(detail) ?? []);
  }
  const text = reasoningText(message);
  return text === undefined || text === '' ? [] : [{ type: 'thinking', text }];
}

/** The plain reasoning text a message or delta carries, under whichever name its vendor uses. */
export function reasoningText(message: Record<string, unknown>): string | undefined {
  if (typeof message.reasoning_content === 'string') return message.reasoning_content;
  if (typeof message.reasoning === 'string') return message.reasoning;
  return undefined;
}

/** One OpenRouter reasoning detail: `reasoning.text`, `reasoning.summary` or `reasoning.encrypted`. */
export function reasoningDetailPart(detail: unknown): OutputPart | undefined {
  if (!isRecord(detail)) return undefined;
  if (detail.type === 'reasoning.encrypted' && typeof detail.data === 'string') return { type: 'redacted_thinking', data: detail.data };
  const text = detail.type === 'reasoning.summary' ? detail.summary : detail.text;
  if (typeof text !== 'string' && typeof detail.signature !== 'string') return undefined;
  const part: ThinkingPart = { type: 'thinking', text: typeof text === 'string' ? text : '' };
  if (typeof detail.signature === 'string') part.signature = detail.signature;
  return part;
}

/**
 * `content` is a string for OpenAI; Mistral may send an array of chunks, with its reasoning
 * as `thinking` chunks whose own `thinking` is a list of text chunks.
 */
export function contentParts(content: unknown): { text: string; thinking: OutputPart[] } {
  if (typeof content === 'string') return { text: content, thinking: [] };
  if (!Array.isArray(content)) return { text: '', thinking: [] };
  let text = '';
  const thinking: OutputPart[] = [];
  for (const chunk of content) {
    if (!isRecord(chunk)) continue;
    if (chunk.type === 'text' && typeof chunk.text === 'string') text += chunk.text;
    else if (chunk.type === 'thinking') {
      const inner = Array.isArray(chunk.thinking) ? chunk.thinking : [];
      const thought = inner.map((item) => (isRecord(item) && typeof item.text === 'string' ? item.text : '')).join('');
      const part: ThinkingPart = { type: 'thinking', text: thought };
      if (typeof chunk.signature === 'string') part.signature = chunk.signature;
      thinking.push(part);
    }
  }
  return { text, thinking };
}
