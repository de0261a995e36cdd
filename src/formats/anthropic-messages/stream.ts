import type { StopReason, StreamBlock, StreamEvent } from '../../ir/chat.js';
import type { StreamEncoder } from '../../ir/codec.js';
import { mergeUsage, type TokenUsage } from '../../ir/usage.js';
import { formatSseEvent } from '../../sse/writer.js';
import { anthropicProviderErrorEvent, anthropicStreamErrorEvent } from './errors.js';
import { DIRECT_CALLER, anthropicDeltaUsage, anthropicMessageId, anthropicStopReason, anthropicUsage } from './response.js';

/** One content block open in the client's stream. */
interface OpenBlock {
  /** Anthropic's index: blocks are numbered densely in the order they open. */
  index: number;
  kind: StreamBlock['type'];
  /** Signature pieces of a thinking block, sent as one signature_delta just before it closes, as Anthropic does. */
  signature: string;
}

function event(type: string, payload: Record<string, unknown> = {}): string {
  return formatSseEvent({ event: type, data: JSON.stringify({ type, ...payload }) });
}

function contentBlockStart(block: StreamBlock): Record<string, unknown> {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: '', citations: null };
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_call':
      return { type: 'tool_use', id: block.id, name: block.name, input: {}, caller: DIRECT_CALLER };
  }
}

/**
 * IR stream events as the Messages API's SSE stream: `message_start`, then per block
 * `content_block_start` / `content_block_delta`… / `content_block_stop`, then `message_delta`
 * and `message_stop`.
 *
 * Two things are held back so the client gets Anthropic's totals in Anthropic's places:
 * `message_start` waits for the first block (or the end), so a provider that reports prompt
 * usage up front has it in there; and `message_delta` waits for end(), because providers such
 * as OpenAI send their usage after the finish reason. The final message_delta carries every
 * cumulative count (input and cache fields too, as newer API versions do).
 */
export function createMessagesStreamEncoder(body: Record<string, unknown>): StreamEncoder {
  const requestedModel = typeof body.model === 'string' ? body.model : '';
  let start: { id: string; model: string } | undefined;
  let startSent = false;
  let usage: TokenUsage | undefined;
  let finish: { stopReason: StopReason; stopSequence?: string } | undefined;
  let closed = false;
  let nextIndex = 0;
  const open = new Map<number, OpenBlock>();

  const messageStart = (): string => {
    if (startSent) return '';
    startSent = true;
    const message = {
      id: anthropicMessageId(start?.id ?? ''),
      type: 'message',
      role: 'assistant',
      model: start?.model || requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: anthropicUsage(usage),
    };
    return event('message_start', { message });
  };

  const closeBlock = (irIndex: number, block: OpenBlock): string => {
    open.delete(irIndex);
    let out = '';
    if (block.kind === 'thinking' && block.signature !== '') {
      out += event('content_block_delta', { index: block.index, delta: { type: 'signature_delta', signature: block.signature } });
    }
    return out + event('content_block_stop', { index: block.index });
  };

  const delta = (irIndex: number, payload: Record<string, unknown>): string => {
    const block = open.get(irIndex);
    return block ? event('content_block_delta', { index: block.index, delta: payload }) : '';
  };

  const push = (streamEvent: StreamEvent): string => {
    switch (streamEvent.type) {
      case 'start':
        start ??= { id: streamEvent.id, model: streamEvent.model };
        return '';
      case 'usage':
        usage = mergeUsage(usage, streamEvent.usage);
        return '';
      case 'block_start': {
        const block: OpenBlock = { index: nextIndex++, kind: streamEvent.block.type, signature: '' };
        open.set(streamEvent.index, block);
        return messageStart() + event('content_block_start', { index: block.index, content_block: contentBlockStart(streamEvent.block) });
      }
      case 'text_delta':
        return delta(streamEvent.index, { type: 'text_delta', text: streamEvent.text });
      case 'thinking_delta':
        return delta(streamEvent.index, { type: 'thinking_delta', thinking: streamEvent.text });
      case 'arguments_delta':
        return delta(streamEvent.index, { type: 'input_json_delta', partial_json: streamEvent.json });
      case 'signature_delta': {
        const block = open.get(streamEvent.index);
        if (block) block.signature += streamEvent.signature;
        return '';
      }
      case 'block_stop': {
        const block = open.get(streamEvent.index);
        return block ? closeBlock(streamEvent.index, block) : '';
      }
      case 'finish':
        finish = streamEvent.stopSequence === undefined ? { stopReason: streamEvent.stopReason } : { stopReason: streamEvent.stopReason, stopSequence: streamEvent.stopSequence };
        return messageStart();
      case 'error':
        closed = true;
        return anthropicProviderErrorEvent(streamEvent.status, streamEvent.message, streamEvent.errorType);
    }
  };

  return {
    push(streamEvent) {
      return closed ? '' : push(streamEvent);
    },
    end() {
      if (closed) return '';
      closed = true;
      let out = messageStart();
      for (const [irIndex, block] of [...open]) out += closeBlock(irIndex, block);
      const stopDelta = {
        stop_reason: anthropicStopReason(finish?.stopReason ?? 'end_turn'),
        stop_sequence: finish?.stopSequence ?? null,
        stop_details: null,
      };
      out += event('message_delta', { delta: stopDelta, usage: anthropicDeltaUsage(usage) });
      return out + event('message_stop');
    },
    fail(error) {
      if (closed) return '';
      closed = true;
      return anthropicStreamErrorEvent(error);
    },
  };
}
