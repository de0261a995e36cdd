import { randomBytes, toBase64Url } from '../../crypto/encoding.js';
import type { GatewayError } from '../../errors.js';
import type { StreamEvent } from '../../ir/chat.js';
import type { StreamEncoder } from '../../ir/codec.js';
import { mergeUsage, type TokenUsage } from '../../ir/usage.js';
import { formatSseEvent } from '../../sse/writer.js';
import { chatStreamFailure, chatStreamProviderError } from './errors.js';
import { wantsStreamUsage } from './request.js';
import { completionUsage, finishReason, reasoningDetail } from './response.js';

/**
 * IR stream events as `chat.completion.chunk` events, the way OpenAI streams them: a first
 * chunk with the role, content and tool-call pieces, a chunk with the finish reason, and
 * (when the client asked with `stream_options.include_usage`) `"usage": null` on each of
 * those and a last chunk with no choices and the usage; then `data: [DONE]`.
 *
 * Tool calls are numbered among tool calls only (the `index` clients accumulate on), not by
 * IR block. Usage may come after `finish` in the IR, so the usage chunk waits for `end()`.
 */
export function createChatCompletionsStreamEncoder(body: Record<string, unknown>): StreamEncoder {
  const includeUsage = wantsStreamUsage(body);
  let head: { id: string; model: string; created: number } | undefined;
  let usage: TokenUsage | undefined;
  let finished = false;
  let closed = false;
  const toolIndexes = new Map<number, number>();
  /** Tool-call blocks whose arguments have not started yet (see `block_stop`). */
  const toolsWithoutArguments = new Set<number>();
  const reasoningIndexes = new Map<number, number>();

  function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
    const data: Record<string, unknown> = {
      ...headFields(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (includeUsage) data.usage = null;
    return formatSseEvent({ data: JSON.stringify(data) });
  }

  function headFields(): Record<string, unknown> {
    const { id, model, created } = head ?? { id: '', model: '', created: 0 };
    return { id, object: 'chat.completion.chunk', created, model };
  }

  /** The first chunk: OpenAI opens every stream with the role and an empty content. */
  function open(id: string, model: string, created: number): string {
    head = { id, model, created };
    return chunk({ role: 'assistant', content: '', refusal: null });
  }

  /** Events before `start` should not happen; if they do, the stream still opens well-formed. */
  function ensureOpen(): string {
    if (head) return '';
    return open(`chatcmpl-${toBase64Url(randomBytes(18))}`, '', Math.floor(Date.now() / 1000));
  }

  function reasoningIndex(block: number): number {
    let index = reasoningIndexes.get(block);
    if (index === undefined) {
      index = reasoningIndexes.size;
      reasoningIndexes.set(block, index);
    }
    return index;
  }

  function encode(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        return head ? '' : open(event.id, event.model, event.created);
      case 'block_start': {
        const block = event.block;
        if (block.type === 'tool_call') {
          const index = toolIndexes.size;
          toolIndexes.set(event.index, index);
          toolsWithoutArguments.add(event.index);
          return chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] });
        }
        if (block.type === 'redacted_thinking') {
          return chunk({ reasoning_details: [reasoningDetail(block, reasoningIndex(event.index))] });
        }
        return '';
      }
      case 'text_delta':
        return event.text === '' ? '' : chunk({ content: event.text });
      case 'thinking_delta': {
        if (event.text === '') return '';
        const detail = reasoningDetail({ type: 'thinking', text: event.text }, reasoningIndex(event.index));
        return chunk({ reasoning_content: event.text, reasoning_details: [detail] });
      }
      case 'signature_delta':
        return chunk({
          reasoning_details: [{ type: 'reasoning.text', signature: event.signature, format: 'unknown', index: reasoningIndex(event.index) }],
        });
      case 'arguments_delta': {
        const index = toolIndexes.get(event.index);
        if (index === undefined || event.json === '') return '';
        toolsWithoutArguments.delete(event.index);
        return chunk({ tool_calls: [{ index, function: { arguments: event.json } }] });
      }
      case 'block_stop': {
        // A call without arguments streams none (Anthropic sends an empty partial_json); OpenAI
        // sends `{}`, and clients JSON.parse what they accumulated, which fails on ''.
        const index = toolIndexes.get(event.index);
        if (index === undefined || !toolsWithoutArguments.delete(event.index)) return '';
        return chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] });
      }
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        return '';
      case 'finish':
        if (finished) return '';
        finished = true;
        return chunk({}, finishReason(event.stopReason));
      case 'error':
        closed = true;
        return chatStreamProviderError(event.status, event.message, event.errorType);
    }
  }

  return {
    push(event) {
      if (closed) return '';
      const opening = event.type === 'start' || event.type === 'usage' || event.type === 'error' ? '' : ensureOpen();
      return opening + encode(event);
    },
    end() {
      if (closed) return '';
      closed = true;
      let out = ensureOpen();
      if (!finished) out += chunk({}, 'stop');
      if (includeUsage && usage) {
        out += formatSseEvent({ data: JSON.stringify({ ...headFields(), choices: [], usage: completionUsage(usage) }) });
      }
      return out + formatSseEvent({ data: '[DONE]' });
    },
    fail(error: GatewayError) {
      if (closed) return '';
      closed = true;
      return chatStreamFailure(error);
    },
  };
}
